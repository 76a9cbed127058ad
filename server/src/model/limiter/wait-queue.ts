/**
 * Calls waiting for one of the adaptive limiter's slots (./adaptive-limiter.ts keeps one queue for live
 * calls, one for batch calls): first come, first served; a call whose signal aborts leaves the queue and
 * is rejected with the signal's reason.
 */
import type { Permit } from './limiter-types.js';

interface Waiter {
  /** Prompt-size class of the call. */
  cls: number;
  resolve: (permit: Permit) => void;
  reject: (reason: unknown) => void;
  cleanup?: () => void;
}

export class WaitQueue {
  private readonly waiting: Waiter[] = [];

  /** Calls waiting. */
  get length(): number {
    return this.waiting.length;
  }

  /** Waits at the back of the queue until {@link grant} hands this call a permit; rejects with the signal's reason when aborted. */
  wait(cls: number, signal?: AbortSignal): Promise<Permit> {
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { cls, resolve, reject };
      if (signal) {
        const onAbort = () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.waiting.push(waiter);
    });
  }

  /** Hands the first call waiting the permit `start` makes for its prompt-size class; false when none waits. */
  grant(start: (cls: number) => Permit): boolean {
    const next = this.waiting.shift();
    if (!next) return false;
    next.cleanup?.();
    next.resolve(start(next.cls));
    return true;
  }
}
