/**
 * Where the job runner gets its items from. SQLite (one server per file): the job tables themselves,
 * claimed by {@link JobStore.claim}. PostgreSQL: the pg-boss queue (./item-queue.ts), which hands each
 * server slices of items and redelivers those of a server that is gone.
 */
import type { ClaimedItem, ItemOutcome, JobStore } from '../storage/jobs.js';

export interface ItemSource {
  /**
   * Claims about `limit` items (a queue hands whole slices, so a few more or fewer), marked running in
   * the job tables; `endedJobs` names jobs whose items the claim itself ended (they may now be complete).
   */
  claim(limit: number, now: number): Promise<{ items: ClaimedItem[]; endedJobs: string[] }>;
  /**
   * After a batch of outcomes was written: `written` the ones the store took, `tried` the whole batch (a
   * fenced-out late one, or one the store failed to take, is in `tried` only).
   */
  settle(written: ItemOutcome[], tried: ItemOutcome[]): Promise<void>;
  /**
   * Puts back in reach the items the source would never hand out (the queue: items no live slice
   * covers); the runner calls it at start and with every recovery pass. None for the store's claim.
   */
  sweep?(now: number): Promise<void>;
  /** Renews the claims of the items held here (the queue: a claim older than the lease is taken over); called before each sweep. */
  renew?(now: number): Promise<void>;
  /** True when the runner puts interrupted running items back itself (the store's claim); false when the queue redelivers them. */
  readonly recoversRunning: boolean;
}

/** Items claimed from the job tables (`for update skip locked` on PostgreSQL, one writer on SQLite). */
export class StoreItemSource implements ItemSource {
  readonly recoversRunning = true;
  constructor(private readonly store: JobStore) {}

  async claim(limit: number, now: number): Promise<{ items: ClaimedItem[]; endedJobs: string[] }> {
    return { items: await this.store.claim(limit, now), endedJobs: [] };
  }

  async settle(): Promise<void> {}
}
