/**
 * Alert webhook deliveries through the PostgreSQL queue (pg-boss, storage/pg-queue.ts), on queue
 * `mofang-alert-webhooks`: one pg-boss job per delivery, its id derived from the delivery id (a delivery
 * sent twice, e.g. by two servers starting together over the same pending rows, is stored once), data
 * `{ id, attempts }` (the delivery and its attempts in all). Whichever server's worker fetches the job
 * makes the attempt and records it on the `alert_deliveries` row, which stays the record, only while the
 * row is pending at the `attempts` it read (so one pg-boss try never records an attempt twice, and a late
 * try after another server's changes nothing). A retryable failure fails the job, so pg-boss retries it
 * after its backoff (`retryDelay` × 2^(n-1) × (1 + jitter), seconds); pg-boss 10.4 has no longest delay,
 * so the job's `start_after` is then cut to now + `maxTimeoutMs` by one update of its row, and the row's
 * `next_attempt_at` is that time. A delivery ends (the row final, the job completed) when delivered, when
 * a refusal no retry can change fails it, or at its last attempt (or pg-boss's last try).
 *
 * A try that made no attempt (the server stopping aborts its requests: the job is failed and due at once;
 * a server dying mid-attempt: pg-boss expires the job after the request timeout + 30 s) still counts as a
 * pg-boss retry: the job allows {@link SPARE_TRIES} more than the attempts, which the row counts. At
 * start every server queues the pending deliveries that have no job waiting or active (made before the
 * queue, copied in by `mofang migrate-store`, or whose job ended with the row still pending).
 *
 * pg-boss's tables are written directly twice (its default schema `pgboss`, as storage/pg-queue.ts starts
 * it): a retry's `start_after` cut, and an ended job removed at start.
 */
import { setMaxListeners } from 'node:events';
import { sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { derivedJobId, type PgQueue } from '../storage/pg-queue.js';
import type { HttpRequester } from '../nodes/kit.js';
import { getAlertDelivery, pendingAlertDeliveryPages, recordAlertAttempt, setAlertNextAttempt } from '../storage/alert-settings.js';
import { loggableError } from '../storage/db-errors.js';
import { rawRows } from '../storage/dialect-sql.js';
import type { DataStore } from '../storage/store.js';
import { makeAlertAttempt, type AlertSender, type AlertWebhookOptions } from './alert-attempt.js';
import type { AlertSettingsService } from './alert-settings.js';

export const ALERTS_QUEUE = 'mofang-alert-webhooks';
/** pg-boss tries a job may use beyond its attempts, for tries that made none (a server stopped or died under them). */
export const SPARE_TRIES = 2;
/** Deliveries one server attempts at once. */
const CONCURRENCY = 10;

interface AlertJob {
  /** The delivery (`alert_deliveries.id`). */
  id: string;
  /** Attempts in all before it is given up. */
  attempts: number;
}

/** The pg-boss job id of a delivery: the same on every server. */
export function alertJobId(deliveryId: string): string {
  return derivedJobId(`alert:${deliveryId}`);
}

export class QueuedAlertSender implements AlertSender {
  private readonly controller = new AbortController();
  private readonly name: string;
  private readonly now: () => number;
  /** Jobs this server's worker holds. */
  private readonly working = new Set<Promise<void>>();
  private readonly sending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A wake-up came while the worker was not sleeping: it fetches again at once. */
  private woken = false;

  constructor(
    private readonly queue: PgQueue,
    private readonly settings: AlertSettingsService,
    private readonly http: HttpRequester,
    private readonly options: AlertWebhookOptions = {},
  ) {
    this.name = options.queueName ?? ALERTS_QUEUE;
    this.now = options.now ?? Date.now;
    // Each attempt in flight listens to it.
    setMaxListeners(CONCURRENCY + 10, this.controller.signal);
  }

  private get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Starts pg-boss (if the JobService has not yet), the queue and this server's worker, then queues the pending deliveries that have no job waiting or active. */
  async start(): Promise<number> {
    await this.queue.start();
    await this.queue.createQueue(this.name);
    if (this.closed) return 0;
    this.loop ??= this.work();
    let n = 0;
    for await (const rows of pendingAlertDeliveryPages(this.settings.store, 500)) {
      if (this.closed) break;
      // A pending delivery whose job ended (its server stopped or died during the job's last try) is queued again.
      await this.queue.insertAgain(this.name, rows.map((r) => this.job(r.id, r.nextAttemptAt ?? this.now())));
      n += rows.length;
    }
    this.poke();
    return n;
  }

  /** Queues a delivery just recorded (also after the worker stopped); one that cannot be queued stays pending and is queued at the next start. */
  send(id: string, at: number): Promise<void> {
    const task = (async () => {
      await this.queue.start();
      const { data, ...options } = this.job(id, at);
      await this.queue.boss.send(this.name, data, options);
      this.poke();
    })().catch((error: unknown) => console.error(`[mofang] alert delivery ${id} was not queued:`, loggableError(error)));
    this.sending.add(task);
    void task.finally(() => this.sending.delete(task));
    return task;
  }

  /** Stops the worker; attempts in flight are aborted and their jobs handed back to pg-boss, due at once. Call before the queue stops. */
  async stopWorker(): Promise<void> {
    this.controller.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.poke();
    await this.loop;
    while (this.working.size > 0) await Promise.allSettled([...this.working]);
  }

  /** Stops the worker and waits for the deliveries being queued. */
  async close(): Promise<void> {
    await this.stopWorker();
    await Promise.allSettled([...this.sending]);
  }

  private job(id: string, at: number): { data: AlertJob; id: string } & Pick<PgBoss.JobInsert, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'expireInSeconds' | 'startAfter'> {
    const attempts = this.options.attempts ?? 8;
    return {
      id: alertJobId(id),
      data: { id, attempts },
      retryLimit: attempts - 1 + SPARE_TRIES,
      retryDelay: Math.max(1, Math.round((this.options.minTimeoutMs ?? 1000) / 1000)),
      retryBackoff: true,
      expireInSeconds: Math.ceil((this.options.timeoutMs ?? 10_000) / 1000) + 30,
      ...(at > this.now() ? { startAfter: new Date(at) } : {}),
    };
  }

  /** Wakes the worker now, or at `at` (epoch ms). */
  private poke(at?: number): void {
    const wake = () => {
      this.woken = true;
      this.wake?.();
    };
    if (at === undefined || at <= this.now()) return wake();
    // A little after: pg-boss takes a job once start_after has passed on the database's clock.
    const timer = setTimeout(() => (this.timers.delete(timer), wake()), at - this.now() + 50);
    timer.unref();
    this.timers.add(timer);
  }

  /** The worker: fetches due jobs within {@link CONCURRENCY}, each attempted on its own; sleeps `pollMs` or until woken. */
  private async work(): Promise<void> {
    while (!this.closed) {
      this.woken = false;
      const free = CONCURRENCY - this.working.size;
      let fetched = 0;
      if (free > 0) {
        try {
          const jobs = await this.queue.boss.fetch<AlertJob>(this.name, { batchSize: free, includeMetadata: true });
          fetched = jobs.length;
          for (const job of jobs) {
            const task = this.handle(job).catch((error: unknown) => console.error('[mofang] alert delivery:', loggableError(error)));
            this.working.add(task);
            void task.finally(() => (this.working.delete(task), this.poke()));
          }
        } catch (error) {
          console.error('[mofang] alert deliveries: fetching from the queue failed:', loggableError(error));
        }
      }
      // Every free slot filled (more may be due), or woken meanwhile: at once.
      if ((free > 0 && fetched === free) || this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 2000);
        this.wake = () => (clearTimeout(timer), resolve());
      });
      this.wake = undefined;
    }
  }

  /** One pg-boss try of a delivery; a try that fails before it is settled (the store failing) is failed, for pg-boss to try again after its backoff. */
  private async handle(job: PgBoss.JobWithMetadata<AlertJob>): Promise<void> {
    const settled = { done: false };
    try {
      await this.attempt(job, settled);
    } catch (error) {
      if (!settled.done) await this.queue.boss.fail(this.name, job.id, { message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  private async attempt(job: PgBoss.JobWithMetadata<AlertJob>, settled: { done: boolean }): Promise<void> {
    const store = this.settings.store;
    const { id, attempts: total } = job.data;
    const complete = async () => {
      settled.done = true;
      await this.queue.boss.complete(this.name, job.id);
    };
    const row = await getAlertDelivery(store, id);
    if (!row || row.status !== 'pending') return complete();
    const done = row.attempts;
    const record = (attempts: number, status: number | null, error: string | null, outcome: 'delivered' | 'pending' | 'failed', nextAttemptAt: number | null) =>
      recordAlertAttempt(store, id, done, { attempts, status, error, outcome, nextAttemptAt, at: this.now() });
    if (done >= total) {
      await record(done, row.lastStatus, row.lastError, 'failed', null);
      return complete();
    }
    const result = await makeAlertAttempt(this.settings, this.http, row, { timeoutMs: this.options.timeoutMs ?? 10_000, now: this.now, signal: this.controller.signal });
    if (result.outcome === 'aborted') {
      // Not made: back to pg-boss, due at once for another server.
      settled.done = true;
      await this.retry(job.id, 0, 'the server stopped during the attempt');
      return;
    }
    const attempt = done + 1;
    if (result.outcome === 'delivered') {
      await record(attempt, result.status, null, 'delivered', null);
      return complete();
    }
    // Given up: no retry can change it, the last attempt, or pg-boss has no try left.
    if (!result.retry || attempt >= total || job.retryCount >= job.retryLimit) {
      await record(attempt, result.status, result.error, 'failed', null);
      return complete();
    }
    const maxMs = this.options.maxTimeoutMs ?? 60_000;
    // pg-boss's wait at its mean, until the time pg-boss will take it up is known (below).
    const estimate = this.now() + Math.min(job.retryDelay * 1000 * 2 ** job.retryCount * 1.5, maxMs);
    // Another try recorded this attempt first (this one outlived its expiry): the job is that try's now.
    if (!(await record(attempt, result.status, result.error, 'pending', estimate))) {
      settled.done = true;
      return;
    }
    settled.done = true;
    const at = await this.retry(job.id, maxMs, result.error);
    if (at !== null) {
      await setAlertNextAttempt(store, id, attempt, at);
      this.poke(at);
    }
  }

  /**
   * Fails a job so pg-boss tries it again after its backoff, cut to at most `maxMs` from now; resolves
   * with when (epoch ms), or null when pg-boss has no try left.
   */
  private async retry(jobId: string, maxMs: number, message: string): Promise<number | null> {
    await this.queue.boss.fail(this.name, jobId, { message });
    // pg-boss 10.4 has no longest retry delay: its job row's start_after is cut here (its default schema, `pgboss`).
    const [row] = await rawRows(
      this.queue.store,
      sql`update pgboss.job set start_after = least(start_after, now() + ${maxMs}::float8 * interval '1 millisecond') where name = ${this.name} and id = ${jobId}::uuid and state = 'retry' returning start_after`,
    );
    return row ? new Date(row.start_after as string | Date).getTime() : null;
  }
}
