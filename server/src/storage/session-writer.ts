/**
 * Group commit of live session steps. A step (turns to hold, events to append, the session's new state)
 * is queued; every step queued in one turn of the event loop is written in ONE write transaction on the
 * next (`setImmediate`), with statements prepared once. Each `write()` resolves when the transaction
 * holding its step has committed (and rejects with the error when it failed), so a caller still answers
 * or hands events on only once they are stored. A crash leaves each step before or after, never half
 * written (a batch is one transaction, and a step lies in one batch).
 *
 * Why: one session turn used to cost two write transactions, each statement built by drizzle's query
 * builder on every call; at 1,000 live sessions (≈ 250 turns/s) that was a sixth of the server's main
 * thread (`npm run bench:sessions -- --profile`). Group commit is the classic answer (PostgreSQL's
 * `commit_delay`, https://www.postgresql.org/docs/current/wal-configuration.html).
 */
import type { Statement } from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import type { Db } from './db.js';
import { callSessions } from './schema-live.js';
import type { CallSessionEventRow, CallSessionPatch, CallSessionRow, CallSessionTurnRow } from './sessions.js';
import { sqliteOf } from './sqlite.js';

/** One step of one session. */
export interface SessionStep {
  /** A new session to insert (before its events). */
  session?: CallSessionRow;
  turns?: CallSessionTurnRow[];
  events?: CallSessionEventRow[];
  patch?: CallSessionPatch;
  /** Writes other rows on the same connection in the same transaction (a session's final run, as it ends). */
  alsoWrite?: () => void;
}

interface Queued {
  id: string;
  step: SessionStep;
  resolve(): void;
  reject(error: unknown): void;
}

const COLUMNS = getTableColumns(callSessions);

export class SessionStepWriter {
  private queue: Queued[] = [];
  private scheduled = false;
  private readonly sqlite;
  private readonly db: Db;
  private readonly insertTurn: Statement;
  private readonly insertEvent: Statement;
  /** UPDATE statements by the patch's sorted column keys. */
  private readonly updates = new Map<string, Statement>();

  constructor(db: Db) {
    this.db = db;
    this.sqlite = sqliteOf(db);
    this.insertTurn = this.sqlite.prepare('insert into call_session_turns (session_id, seq, turn_id, role, text, start, "end", received_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing');
    this.insertEvent = this.sqlite.prepare('insert into call_session_events (session_id, seq, name, data, at) values (?, ?, ?, ?, ?)');
  }

  /** Queues a step; resolves once it is committed. */
  write(id: string, step: SessionStep): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ id, step, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes what is queued now, in one transaction (also called by a server that stops). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      this.sqlite.transaction(() => {
        for (const q of batch) this.apply(q.id, q.step);
      }).immediate();
    } catch (error) {
      for (const q of batch) q.reject(error);
      return;
    }
    for (const q of batch) q.resolve();
  }

  private apply(id: string, step: SessionStep): void {
    // Rare (once a session): drizzle's builder, on the same connection, inside this transaction.
    if (step.session) this.db.insert(callSessions).values(step.session).run();
    step.alsoWrite?.();
    for (const t of step.turns ?? []) this.insertTurn.run(t.sessionId, t.seq, t.turnId, t.role, t.text, t.start, t.end, t.receivedAt);
    for (const e of step.events ?? []) this.insertEvent.run(e.sessionId, e.seq, e.name, JSON.stringify(e.data), e.at);
    const patch = step.patch;
    if (!patch) return;
    const keys = (Object.keys(patch) as Array<keyof CallSessionPatch>).filter((k) => patch[k] !== undefined).sort();
    if (keys.length === 0) return;
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
