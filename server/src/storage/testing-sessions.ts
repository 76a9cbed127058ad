/** Fixtures of the live session tables' tests (./session-writer.test.ts, ./sessions.test.ts), on either store. */
import type { CallSessionRow } from './sessions.js';
import type { OpenDataStore } from './store.js';

/** A store with one scenario, and sessions' rows of it. */
export async function sessionStore(open: () => Promise<OpenDataStore>): Promise<{ store: OpenDataStore; row: (id: string, at?: number) => CallSessionRow }> {
  const store = await open();
  await store.db.insert(store.t.scenarios).values({ id: 'sc1', name: 's', graph: { nodes: [], edges: [] }, createdAt: 1, updatedAt: 1 });
  const row = (id: string, at = 1): CallSessionRow => ({
    id, scenarioId: 'sc1', slug: 's', version: 1, apiKeyId: null, callId: null, meta: null, inputs: {}, status: 'active', turnCount: 0, updateCount: 0, nextEvent: 1,
    outputs: null, alerts: [], metrics: null, simulated: false, deskTokenHash: 'ab', createdAt: at, lastTurnAt: null, lastActivityAt: at, endedAt: null, endReason: null, finalRunId: null, finalRun: null, confirmation: null, owner: null, leaseExpiresAt: null,
  });
  return { store, row };
}

