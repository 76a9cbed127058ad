/**
 * A bound on password checks (argon2 verify and hash) running at once. argon2 runs on libuv's thread
 * pool (4 threads by default), which file reads and DNS share: a burst of sign-ins must not fill it.
 * Checks beyond `maxRunning` wait in a queue (p-queue) of at most `maxRunning * 8`; beyond that they are
 * refused at once with {@link PasswordChecksBusy}, rather than queueing without bound.
 */
import PQueue from 'p-queue';

/** Thrown by {@link PasswordChecks.run} when the queue is full; the caller answers 503 with `Retry-After`. */
export class PasswordChecksBusy extends Error {
  /** Whole seconds to wait before trying again. */
  readonly retryAfterSeconds = 1;
  constructor() {
    super('too many sign-ins are being checked at once: try again in a moment');
    this.name = 'PasswordChecksBusy';
  }
}

export class PasswordChecks {
  private readonly queue: PQueue;
  private readonly maxWaiting: number;

  /** `maxRunning` checks at once (at least 1); 8 times as many may wait. */
  constructor(maxRunning: number) {
    this.queue = new PQueue({ concurrency: Math.max(1, maxRunning) });
    this.maxWaiting = Math.max(1, maxRunning) * 8;
  }

  /** Checks running now, and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.queue.pending, waiting: this.queue.size };
  }

  /**
   * Runs `check` when a place is free; throws {@link PasswordChecksBusy} at once when `8 × maxRunning`
   * checks already wait. Resolves or rejects as `check` does.
   */
  run<T>(check: () => Promise<T>): Promise<T> {
    if (this.queue.size >= this.maxWaiting) return Promise.reject(new PasswordChecksBusy());
    return this.queue.add(check) as Promise<T>;
  }
}
