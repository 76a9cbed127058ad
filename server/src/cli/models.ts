/**
 * The models of `mofang run` and `mofang compile`: the same endpoints the server would use. When the data
 * directory holds a store (`<dataDir>/mofang.db`) or `MOFANG_DATABASE_URL` names one, the endpoints stored through the admin UI join the
 * environment's (`MOFANG_MODEL_*`), their keys opened with `MOFANG_SECRET_KEY` or `<dataDir>/secret.key`;
 * without a store, the environment's endpoint or the simulator alone.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config.js';
import { knownModelAliases } from '../endpoints/config.js';
import { closeModels } from '../model/close.js';
import { createModelResolver, type ConfiguredModelResolver } from '../model/registry.js';
import { CliError } from './errors.js';

/** A CLI command's models: the resolver, the aliases a node may name (undefined: not checked), and `close`. */
export interface CliModels {
  models: ConfiguredModelResolver;
  /** As the server checks them at compile time: undefined when only the simulator answers. */
  aliases: string[] | undefined;
  /** Closes the clients' connection pools. */
  close(): Promise<void>;
}

/**
 * Opens the models for `config` as the server would. The store is read once and closed at once (a
 * running server keeps its own); its code (SQLite) loads only when there is one. Throws
 * {@link CliError} when the secret key cannot be read (a malformed `MOFANG_SECRET_KEY` or key file).
 */
export async function openCliModels(config: Pick<AppConfig, 'dataDir' | 'database' | 'model' | 'secretKey'>): Promise<CliModels> {
  if (!config.database && !existsSync(path.join(config.dataDir, 'mofang.db'))) {
    const models = createModelResolver(config.model);
    return { models, aliases: knownModelAliases(models), close: () => closeModels(models) };
  }
  const [{ openAppStore }, { openSecretBox }, { EndpointService }] = await Promise.all([import('../storage/app-store.js'), import('../endpoints/secret-box.js'), import('../endpoints/service.js')]);
  const store = await openAppStore(config, { maxConnections: 1 });
  try {
    const endpoints = await EndpointService.open(store, openSecretBox({ secretKey: config.secretKey, dataDir: config.dataDir }), config.model);
    const models = endpoints.models;
    return { models, aliases: knownModelAliases(models), close: () => closeModels(models) };
  } catch (error) {
    throw new CliError(`model endpoints: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await store.close();
  }
}
