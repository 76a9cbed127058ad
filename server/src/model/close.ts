import type { ConfiguredModelResolver } from './registry.js';

/**
 * Closes the connection pools of every model client that has one (the HTTP client's undici pool); the
 * others have nothing to close. A resolver with its own `close` (the reloadable one, which also stops
 * waiting on retired clients) closes itself. Used by the server at shutdown and by `mofang run` after its run.
 */
export async function closeModels(models: ConfiguredModelResolver): Promise<void> {
  if ('close' in models && typeof models.close === 'function') {
    await models.close();
    return;
  }
  await Promise.all(
    models.clients().map(async (client) => {
      if ('close' in client && typeof client.close === 'function') await client.close();
    }),
  );
}
