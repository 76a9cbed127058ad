/**
 * The PostgreSQL form of the session writer's batches (./session-writer.ts): a batch's rows in a few
 * statements on the transaction's pooled connection, whatever its size: the new sessions in one
 * multi-row insert, then every turn (`on conflict do nothing`: a turn held already stays as it is) and
 * every event in one each, then the sessions' new state, one `update … set col = case id when … end`
 * per set of columns changed. Each statement is a round trip, so a batch of many steps costs about what
 * one step does. Steps of one session in a batch are merged in order (a later value of a column wins),
 * which leaves each row as the steps one after another would.
 */
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import { patchKeys, type CallSessionPatch, type SessionStepRows } from './sessions.js';
import type { DataStore } from './store.js';

/** Rows per insert statement (PostgreSQL takes at most 65,535 parameters in one; a turn has 8 columns). */
const ROWS_PER_INSERT = 1_000;
/** Sessions per `case` update (its cost grows with sessions × rows). */
const SESSIONS_PER_UPDATE = 200;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Writes a batch's rows (in the caller's transaction `tx`), steps in the order given. */
export async function writePgSessionSteps(tx: DataStore, steps: ReadonlyArray<{ id: string; step: SessionStepRows }>): Promise<void> {
  const { db, t } = tx;
  const sessions = steps.flatMap(({ step }) => (step.session ? [step.session] : []));
  for (const part of chunks(sessions, ROWS_PER_INSERT)) await db.insert(t.callSessions).values(part);
  const turns = steps.flatMap(({ step }) => step.turns ?? []);
  for (const part of chunks(turns, ROWS_PER_INSERT)) await db.insert(t.callSessionTurns).values(part).onConflictDoNothing();
  const events = steps.flatMap(({ step }) => step.events ?? []);
  for (const part of chunks(events, ROWS_PER_INSERT)) await db.insert(t.callSessionEvents).values(part);

  // Each session's patches merged in step order, then grouped by the columns they set.
  const merged = new Map<string, CallSessionPatch>();
  for (const { id, step } of steps) {
    const keys = patchKeys(step.patch);
    if (!step.patch || keys.length === 0) continue;
    const into = merged.get(id) ?? {};
    for (const k of keys) Object.assign(into, { [k]: step.patch[k] });
    merged.set(id, into);
  }
  const groups = new Map<string, Array<[string, CallSessionPatch]>>();
  for (const entry of merged) {
    const signature = patchKeys(entry[1]).join(',');
    groups.set(signature, [...(groups.get(signature) ?? []), entry]);
  }
  for (const group of groups.values()) {
    for (const part of chunks(group, SESSIONS_PER_UPDATE)) {
      const [first] = part;
      if (!first) continue;
      if (part.length === 1) {
        await db.update(t.callSessions).set(first[1]).where(eq(t.callSessions.id, first[0]));
        continue;
      }
      const set: Partial<Record<keyof CallSessionPatch, SQL>> = {};
      for (const k of patchKeys(first[1])) {
        const column = t.callSessions[k];
        const type = sql.raw(column.getSQLType());
        // Typed parameters: a `case` of untyped ones would be text, which an integer column refuses.
        const whens = part.map(([id, patch]) => {
          const value = patch[k];
          return sql`when ${id} then ${value === null ? sql`null` : sql.param(value, column)}::${type}`;
        });
        set[k] = sql`case ${t.callSessions.id} ${sql.join(whens, sql` `)} end`;
      }
      await db.update(t.callSessions).set(set).where(inArray(t.callSessions.id, part.map(([id]) => id)));
    }
  }
}
