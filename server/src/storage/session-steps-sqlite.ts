/**
 * The SQLite form of the session writer's batches (./session-writer.ts): each step's rows written with
 * statements prepared once, on the store's one connection, inside the transaction the writer holds
 * open. Kept as better-sqlite3 prepared statements because this is the hottest write of a server with
 * many live calls (one step per turn post and per update): drizzle's builder rebuilt each statement on
 * every call, a sixth of the main thread at 1,000 sessions (`npm run bench:sessions -- --profile`).
 */
import type { Statement } from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import type { Db } from './db.js';
import { callSessions } from './schema-live.js';
import { patchKeys, type CallSessionPatch, type SessionStepRows } from './sessions.js';
import { sqliteOf } from './sqlite.js';

const COLUMNS = getTableColumns(callSessions);

/** Writes steps' rows synchronously; call only inside a write transaction on `db`. */
export class SqliteSessionSteps {
  private readonly sqlite;
  private readonly insertTurn: Statement;
  private readonly insertEvent: Statement;
  /** UPDATE statements by the patch's sorted column keys. */
  private readonly updates = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    this.sqlite = sqliteOf(db);
    this.insertTurn = this.sqlite.prepare('insert into call_session_turns (session_id, seq, turn_id, role, text, start, "end", received_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing');
    this.insertEvent = this.sqlite.prepare('insert into call_session_events (session_id, seq, name, data, at) values (?, ?, ?, ?, ?)');
  }

  /** Whether a transaction is open on the connection (a batch must then queue behind it, not join it). */
  get busy(): boolean {
    return this.sqlite.inTransaction;
  }

  /** Writes the steps in one `BEGIN IMMEDIATE` transaction of their own, at once; throws (having written none) when one fails. */
  writeBatch(steps: ReadonlyArray<{ id: string; step: SessionStepRows }>): void {
    this.sqlite
      .transaction(() => {
        for (const s of steps) this.apply(s.id, s.step);
      })
      .immediate();
  }

  /** Writes one step of session `id` (its rows only: the writer calls its `alsoWrite` before). */
  apply(id: string, step: SessionStepRows): void {
    // Rare (once a session): drizzle's builder, on the same connection, inside this transaction.
    if (step.session) this.db.insert(callSessions).values(step.session).run();
    for (const t of step.turns ?? []) this.insertTurn.run(t.sessionId, t.seq, t.turnId, t.role, t.text, t.start, t.end, t.receivedAt);
    for (const e of step.events ?? []) this.insertEvent.run(e.sessionId, e.seq, e.name, JSON.stringify(e.data), e.at);
    const patch = step.patch;
    const keys = patchKeys(patch);
    if (!patch || keys.length === 0) return;
    const values = keys.map((k) => {
      const value = patch[k];
      return value === null ? null : (COLUMNS[k].mapToDriverValue(value) as unknown);
    });
    this.update(keys).run(...values, id);
  }

  private update(keys: Array<keyof CallSessionPatch>): Statement {
    const signature = keys.join(',');
    let statement = this.updates.get(signature);
    if (!statement) {
      const sets = keys.map((k) => `"${COLUMNS[k].name}" = ?`).join(', ');
      statement = this.sqlite.prepare(`update call_sessions set ${sets} where id = ?`);
      this.updates.set(signature, statement);
    }
    return statement;
  }
}
