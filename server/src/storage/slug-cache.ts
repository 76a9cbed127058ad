/**
 * The `/v1` API's slug lookups, cached for {@link SLUG_CACHE_MS}: a read on the unique slug index costs
 * ≈ 25–50 µs while the run log's writer thread commits to the same WAL file (the read transaction's lock
 * on the shared memory), more than the rest of the request's storage work. Every write in this process
 * that changes which scenario owns a slug or which version is live calls {@link scenariosChanged}, which
 * empties every cache at once; a write from another process (the CLI's publish or rollback) is seen
 * within {@link SLUG_CACHE_MS}, as API keys are (storage/keys.ts); so is one by another server over the
 * same PostgreSQL database.
 */
import { LRUCache } from 'lru-cache';

/** How long a slug lookup is trusted without asking the database again, ms. */
export const SLUG_CACHE_MS = 1_000;

/** A slug's owner: its id and live version; null when no scenario has the slug. */
export type SlugOwner = { id: string; liveVersion: number | null } | null;

let generation = 0;

/** Called by every write that publishes, rolls back or deletes a scenario (in this process). */
export function scenariosChanged(): void {
  generation += 1;
}

/** One connection's cache of slug owners. */
export class SlugCache {
  // The clock is read through the global at each call, so tests can move it.
  private readonly entries = new LRUCache<string, { owner: SlugOwner }>({ max: 10_000, ttl: SLUG_CACHE_MS, ttlResolution: 0, perf: { now: () => performance.now() } });
  private seen = generation;

  /** The cached owner of `slug`, or undefined when it must be read again. */
  get(slug: string): { owner: SlugOwner } | undefined {
    if (this.seen !== generation) {
      this.entries.clear();
      this.seen = generation;
      return undefined;
    }
    return this.entries.get(slug);
  }

  /** The count of changes so far: read before a store lookup, handed to {@link set} after it. */
  generation(): number {
    return generation;
  }

  /** Remembers `owner`, unless scenarios changed since `asked` ({@link generation} before the lookup): the read may predate the change. */
  set(slug: string, owner: SlugOwner, asked = generation): void {
    if (asked !== generation) return;
    if (this.seen !== generation) {
      this.entries.clear();
      this.seen = generation;
    }
    this.entries.set(slug, { owner });
  }
}
