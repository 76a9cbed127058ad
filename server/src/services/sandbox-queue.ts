/**
 * The code sandbox's waiting line: one lane per scenario, served in turn, with a cap on how many of a
 * scenario's jobs may run at once. A scenario that fills its share waits for its own jobs to finish while
 * other scenarios' jobs go ahead, so one busy scenario cannot hold every worker. Within a lane, jobs go
 * by priority (lower first: live calls before batch jobs), then first in, first out.
 */
export class FairQueue<T> {
  private readonly lanes = new Map<string, Array<{ item: T; priority: number }>>();
  private readonly running = new Map<string, number>();
  /** When each scenario was last given a worker (a counter, not a clock); absent means never or long ago. */
  private readonly served = new Map<string, number>();
  private tick = 0;
  private waitingCount = 0;

  /** @param perKeyLimit the most jobs of one key (scenario) that may run at once, at least 1 */
  constructor(private readonly perKeyLimit: number) {
    if (!Number.isInteger(perKeyLimit) || perKeyLimit < 1) throw new RangeError(`perKeyLimit must be a whole number of at least 1, got ${perKeyLimit}`);
  }

  /** Jobs waiting, over all keys. */
  get size(): number {
    return this.waitingCount;
  }

  /** Jobs running, over all keys. */
  get active(): number {
    let total = 0;
    for (const n of this.running.values()) total += n;
    return total;
  }

  /** Jobs of `key` running. */
  runningOf(key: string): number {
    return this.running.get(key) ?? 0;
  }

  /** Adds a job to its key's lane, after every job of the same or a lower `priority` (default 0). */
  push(key: string, item: T, priority = 0): void {
    const entry = { item, priority };
    const lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, [entry]);
    else {
      let at = lane.length;
      while (at > 0 && lane[at - 1].priority > priority) at--;
      lane.splice(at, 0, entry);
    }
    this.waitingCount++;
  }

  /** Takes a waiting job out of line (cancelled or timed out); false when it was not waiting. */
  remove(key: string, item: T): boolean {
    const lane = this.lanes.get(key);
    const index = lane ? lane.findIndex((entry) => entry.item === item) : -1;
    if (!lane || index < 0) return false;
    lane.splice(index, 1);
    if (lane.length === 0) this.lanes.delete(key);
    this.waitingCount--;
    return true;
  }

  /**
   * The next job to run, counted as running until {@link release}: from the key with the fewest jobs
   * running that is under its cap, and among those the one served longest ago. Undefined when nothing
   * waits or every waiting key is at its cap.
   */
  take(): { key: string; item: T } | undefined {
    let best: string | undefined;
    let bestRunning = Infinity;
    let bestServed = Infinity;
    for (const key of this.lanes.keys()) {
      const running = this.running.get(key) ?? 0;
      if (running >= this.perKeyLimit) continue;
      const served = this.served.get(key) ?? -1;
      if (running < bestRunning || (running === bestRunning && served < bestServed)) {
        best = key;
        bestRunning = running;
        bestServed = served;
      }
    }
    if (best === undefined) return undefined;
    const lane = this.lanes.get(best);
    const item = lane?.shift()?.item;
    if (!lane || item === undefined) return undefined;
    if (lane.length === 0) this.lanes.delete(best);
    this.waitingCount--;
    this.running.set(best, bestRunning + 1);
    this.served.set(best, ++this.tick);
    return { key: best, item };
  }

  /** Ends a running job of `key` (taken by {@link take}), freeing its place under the cap. */
  release(key: string): void {
    const running = (this.running.get(key) ?? 0) - 1;
    if (running > 0) {
      this.running.set(key, running);
      return;
    }
    this.running.delete(key);
    // Forget a key with nothing left, so a server that has seen many scenarios keeps no trace of each.
    if (!this.lanes.has(key)) this.served.delete(key);
  }

  /** How many waiting jobs could start now if there were free workers (each key up to its cap). */
  startable(): number {
    let total = 0;
    for (const [key, lane] of this.lanes) total += Math.min(lane.length, Math.max(0, this.perKeyLimit - (this.running.get(key) ?? 0)));
    return total;
  }

  /** Removes and returns every waiting job. */
  drain(): T[] {
    const all = [...this.lanes.values()].flat().map((entry) => entry.item);
    this.lanes.clear();
    this.waitingCount = 0;
    return all;
  }
}
