import type { SimulatorConfig } from './config.js';

/** Thrown when a request finds the queue full: the simulator answers 429. */
export class QueueFullError extends Error {
  constructor() {
    super('simulator queue is full');
    this.name = 'QueueFullError';
  }
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * A capacity model: at most `capacity` requests are served at once, the rest wait FIFO, and beyond
 * `maxQueue` waiting requests a new one is refused. Settings are read live so PUT /sim/config applies.
 */
export class CapacityGate {
  active = 0;
  maxActiveSeen = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly settings: () => Pick<SimulatorConfig, 'capacity' | 'maxQueue'>) {}

  get queued(): number {
    return this.waiting.length;
  }

  /** Takes a slot now if one is free (no promise, no timer: the zero-latency path). */
  tryAcquire(): boolean {
    if (this.active >= this.settings().capacity || this.waiting.length > 0) return false;
    this.take();
    return true;
  }

  /** Waits for a slot in FIFO order; rejects with the signal's reason if aborted while waiting, or QueueFullError. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiting.length >= this.settings().maxQueue) return Promise.reject(new QueueFullError());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
    });
  }

  /** Frees a slot and hands it to the longest-waiting request. */
  release(): void {
    this.active = Math.max(0, this.active - 1);
    this.drain();
  }

  /** Starts waiting requests while slots are free (also after the capacity setting grows). */
  drain(): void {
    while (this.waiting.length > 0 && this.active < this.settings().capacity) {
      const next = this.waiting.shift();
      if (!next) break;
      if (next.signal && next.onAbort) next.signal.removeEventListener('abort', next.onAbort);
      this.take();
      next.resolve();
    }
  }

  private take(): void {
    this.active += 1;
    if (this.active > this.maxActiveSeen) this.maxActiveSeen = this.active;
  }
}

/** Milliseconds per output token under the current load: perTokenMs * (1 + loadFactor * (active - 1) / capacity). */
export function perTokenDelayMs(config: SimulatorConfig, active: number): number {
  if (config.perTokenMs === 0) return 0;
  return config.perTokenMs * (1 + (config.loadFactor * Math.max(0, active - 1)) / config.capacity);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Splits text into at most `count` pieces of similar length, never inside a surrogate pair. */
export function chunkText(text: string, count: number): string[] {
  if (count <= 1) return [text];
  const chars = Array.from(text);
  if (chars.length === 0) return [''];
  const pieces = Math.max(1, Math.min(count, chars.length));
  const size = Math.ceil(chars.length / pieces);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}
