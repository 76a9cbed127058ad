/**
 * The `server_instances` table on either store: each server's heartbeat row (server/src/cluster). A row
 * seen at or after `since` is a live server.
 */
import { eq, gte, lt, sql } from 'drizzle-orm';
import type { DataStore } from './store.js';

/** Stores (or refreshes) a server's row, seen at `now` (epoch ms). */
export async function beatServer(store: DataStore, row: { id: string; host: string; startedAt: number; now: number }): Promise<void> {
  const { db, t } = store;
  await db
    .insert(t.serverInstances)
    .values({ id: row.id, host: row.host, startedAt: row.startedAt, seenAt: row.now })
    .onConflictDoUpdate({ target: t.serverInstances.id, set: { seenAt: row.now } });
}

/** How many servers were seen at or after `since` (epoch ms). */
export async function liveServerCount(store: DataStore, since: number): Promise<number> {
  const { db, t } = store;
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(t.serverInstances).where(gte(t.serverInstances.seenAt, since));
  return Number(row?.n ?? 0);
}

/** Removes a server's row (it stops). */
export async function leaveServer(store: DataStore, id: string): Promise<void> {
  const { db, t } = store;
  await db.delete(t.serverInstances).where(eq(t.serverInstances.id, id));
}

/** Removes rows not seen since `before` (epoch ms): servers that died long ago. */
export async function forgetServersBefore(store: DataStore, before: number): Promise<void> {
  const { db, t } = store;
  await db.delete(t.serverInstances).where(lt(t.serverInstances.seenAt, before));
}
