/**
 * pg-boss 10 over a PostgreSQL DataStore's database (its own schema `pgboss`, created by its first start,
 * and its own small pool with the store's connection settings): the queue the job items and webhooks
 * (jobs/item-queue.ts), alert deliveries (sessions/alert-queue.ts) and live sessions' final runs
 * (sessions/final-run-queue.ts) share on one server. Each subsystem makes its queues with `createQueue`.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import { rawRows } from './dialect-sql.js';
import type { DataStore } from './store.js';

export interface PgQueueOptions {
  /** How often pg-boss looks for expired jobs (s; one server does it per interval); default 30. */
  maintenanceIntervalSeconds?: number;
  /** Connections of pg-boss's own pool; default 2. */
  maxConnections?: number;
}

/** pg-boss's `db` option over one of our DataStores (a transaction's: a send or insert through it joins it). */
export function bossDb(store: DataStore): { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } {
  return {
    async executeSql(text, values = []) {
      const query = sql.empty();
      text.split(/\$(\d+)/).forEach((part, i) => query.append(i % 2 === 0 ? sql.raw(part) : sql`${sql.param(values[Number(part) - 1])}`));
      return { rows: await rawRows(store, query) };
    },
  };
}

/**
 * A pg-boss job id derived from `key` (a uuid-shaped sha-256 of it): the same on every server, so a job
 * two servers both send for one thing (a job's end, a delivery, a session's final run) is stored once.
 */
export function derivedJobId(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The connection settings of a PostgreSQL DataStore's pool (pg-boss opens its own pool with them). Throws on SQLite. */
function connectionOf(store: DataStore): Record<string, unknown> {
  const options = (store.db as unknown as { $client?: { options?: Record<string, unknown> } }).$client?.options;
  if (!options) throw new Error('the queue needs a PostgreSQL store');
  const { connectionString, host, port, user, password, database, ssl } = options;
  return Object.fromEntries(Object.entries({ connectionString, host, port, user, password, database, ssl }).filter(([, v]) => v !== undefined));
}

/** pg-boss on a store's database, with the queues `queues` made at start. */
export class PgQueue {
  private current: PgBoss;
  private starting: Promise<void> | undefined;
  private stopped = false;
  private readonly make: () => PgBoss;

  constructor(
    readonly store: DataStore,
    options: PgQueueOptions = {},
    private readonly queues: readonly string[] = [],
  ) {
    const settings = { ...connectionOf(store), max: options.maxConnections ?? 2, schedule: false, supervise: true, maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30, application_name: 'mofang-queue' };
    this.make = () => {
      const boss = new PgBoss(settings);
      // One line per error: pg-boss hands over node-postgres errors whose whole object (client, pool) would be printed.
      boss.on('error', (error: unknown) => console.error('[mofang] queue:', error instanceof Error ? `${error.message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ''}` : String(error)));
      return boss;
    };
    this.current = this.make();
  }

  /** The pg-boss instance (a new one after a failed start: pg-boss 10 cannot start again an instance whose start failed). */
  get boss(): PgBoss {
    return this.current;
  }

  /**
   * Starts pg-boss (creating its schema on first use; servers starting together create it once) and its
   * queues. Idempotent while it succeeds; a start that failed (the database unreachable for a moment) is
   * tried again by the next call.
   */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the queue was stopped'));
    this.starting ??= (async () => {
      await this.boss.start();
      for (const name of this.queues) await this.createQueue(name);
    })().catch(async (error: unknown) => {
      const failed = this.current;
      this.current = this.make();
      this.starting = undefined;
      await failed.stop({ graceful: false, wait: false }).catch(() => undefined);
      throw error;
    });
    return this.starting;
  }

  /**
   * Creates queue `name` if it does not exist (idempotent). Two servers creating one queue at once can
   * deadlock in pg-boss's create_queue: it tries again, up to 5 times.
   */
  async createQueue(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.boss.createQueue(name);
        return;
      } catch (error) {
        if (attempt >= 5 || !/deadlock/.test(error instanceof Error ? error.message : '')) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  /**
   * Inserts `jobs` (each with its derived id) into queue `name`, replacing those of them whose earlier job
   * is over (completed, cancelled or failed: a row still pending in our tables whose job ended); one still
   * waiting or active is kept (an insert of an existing id is skipped). pg-boss's own table is written
   * directly for the replacement (its default schema `pgboss`, as {@link start} makes it).
   */
  async insertAgain(name: string, jobs: Array<Omit<PgBoss.JobInsert, 'name'> & { id: string }>): Promise<void> {
    if (jobs.length === 0) return;
    const ids = sql.join(jobs.map((j) => sql`${j.id}::uuid`), sql`, `);
    await rawRows(this.store, sql`delete from pgboss.job where name = ${name} and id in (${ids}) and state > 'active'`);
    await this.boss.insert(jobs.map((j) => ({ ...j, name })));
  }

  /** Stops pg-boss (workers and maintenance) if it was started. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.starting) return;
    await this.starting.catch(() => undefined);
    await this.boss.stop({ graceful: false, wait: true });
  }
}
