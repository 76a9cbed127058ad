/**
 * The runner's outcome writes: outcomes are buffered and written in one statement per batch (every
 * `flushMs`, or at `flushBatch` outcomes); an outcome the store refuses becomes a failed item saying
 * why. Whoever listens hears of the outcomes actually written (a fenced-out late one is not).
 */
import { loggableError, loggableMessage } from '../storage/db-errors.js';
import type { ItemOutcome, JobStore } from '../storage/jobs.js';
import type { SucceededItem } from './runner-item.js';

/** Told after each batch is written: the outcomes written (as written) and the succeeded items of the batch. */
/** After a batch: `written` the outcomes the store took, `tried` every outcome of the batch (a fenced-out or unwritable one is in `tried` only). */
export type OutcomesWritten = (written: ItemOutcome[], succeeded: SucceededItem[], tried: ItemOutcome[]) => Promise<void>;

export class OutcomeWriter {
  private buffer: ItemOutcome[] = [];
  /** Succeeded items of the outcomes in {@link buffer}, told of after they are written. */
  private succeeded: SucceededItem[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly store: JobStore,
    private readonly written: OutcomesWritten,
    private readonly options: { flushMs?: number; flushBatch?: number } = {},
  ) {}

  push(outcome: ItemOutcome, succeeded?: SucceededItem): void {
    this.buffer.push(outcome);
    if (succeeded) this.succeeded.push(succeeded);
    if (this.buffer.length >= (this.options.flushBatch ?? 200)) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 100);
  }

  /**
   * Writes buffered outcomes, then tells the listener. Settles when they are written; never rejects (a
   * store that fails is logged, the rows stay running and are taken up again).
   */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.buffer.length === 0) return Promise.resolve();
    const batch = this.buffer;
    this.buffer = [];
    const succeeded = this.succeeded;
    this.succeeded = [];
    const write = this.recordSafely(batch)
      .then((written) => this.written(written, succeeded, batch))
      .catch((error: unknown) => console.error('[mofang] jobs: writing outcomes failed:', loggableError(error)));
    const tracked = write.finally(() => this.writing.delete(tracked));
    this.writing.add(tracked);
    return tracked;
  }

  /** Settles once every write begun has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.writing]);
  }

  /**
   * Writes outcomes; one that cannot be written (a value the store or the serialiser refuses) becomes a
   * failed item saying why, instead of an exception out of a timer that would take the process down,
   * again at every restart as the item is recovered and run again. Resolves with what was written.
   */
  private async recordSafely(batch: ItemOutcome[]): Promise<ItemOutcome[]> {
    try {
      return await this.store.record(batch);
    } catch {
      // One at a time below, to find the ones at fault.
    }
    const written: ItemOutcome[] = [];
    for (const o of batch) {
      try {
        written.push(...(await this.store.record([o])));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const failed: ItemOutcome = { ...o, status: 'failed', outputs: undefined, error: { code: 'result_write_failed', message: `the item's result could not be stored: ${reason}` } };
        try {
          written.push(...(await this.store.record([failed])));
        } catch (again) {
          // The store itself is failing (disk full?): the row stays running and is run again after a restart.
          console.error(`[mofang] job ${o.jobId} item ${o.seq}: result not stored:`, loggableMessage(again));
        }
      }
    }
    return written;
  }
}
