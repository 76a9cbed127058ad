/**
 * Checks API keys on the hot path without touching the database for known keys: an in-memory map of
 * hash → key, dropped whenever the key table's stamp changes (a key created or revoked here, by the
 * CLI in another process, or by another server; the stamp is read once a second by a timer and by the
 * first request a second after the last read, in the background: a request never waits for it). A known key is answered at once; an unknown hash is looked
 * up in the store (then remembered either way). `last_used_at` is written in batches by a timer, never
 * per request.
 */
import { loggableMessage } from '../storage/db-errors.js';
import type { DataStore } from '../storage/store.js';
import { findKeyByHash, keysStamp, touchKeys, type KeyRecord } from '../storage/keys.js';
import { hashKey, looksLikeKey } from './secret.js';

export interface KeyAuthOptions {
  /** How often the key table's stamp is re-read, in ms (default 1000). */
  stampIntervalMs?: number;
  /**
   * Whether a timer also re-reads the stamp every interval (default true), so a revoke elsewhere applies
   * within the interval even when no request comes to start the read; off in tests that drive `now`.
   */
  pollStamp?: boolean;
  /** How often `last_used_at` is written, in ms (default 5000). */
  touchIntervalMs?: number;
  now?: () => number;
}

/** Bounds both caches: a flood of made-up keys must not grow memory without end. */
const MAX_CACHED = 10_000;

/** Verifies bearer keys against the store, with caching and lazy last-used bookkeeping. */
export class KeyAuth {
  private readonly known = new Map<string, KeyRecord>();
  private readonly unknown = new Set<string>();
  private readonly lastUsed = new Map<string, number>();
  private stamp = '';
  private checkedAt = -Infinity;
  /** The stamp read in flight, if any. */
  private checking: Promise<void> | undefined;
  private readonly stampIntervalMs: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private readonly stampTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DataStore,
    options: KeyAuthOptions = {},
  ) {
    this.stampIntervalMs = options.stampIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => void this.flushLastUsed(), options.touchIntervalMs ?? 5000);
    this.timer.unref();
    if (options.pollStamp !== false) {
      this.stampTimer = setInterval(() => this.refresh(true), this.stampIntervalMs);
      this.stampTimer.unref();
    }
  }

  /**
   * The active key this token is, or undefined for anything else (malformed, unknown, revoked): at once
   * (not a promise) for a hash seen before, after a store lookup for a new one.
   */
  verify(token: string): KeyRecord | undefined | Promise<KeyRecord | undefined> {
    if (!looksLikeKey(token)) return undefined;
    this.refresh();
    const hash = hashKey(token);
    const record = this.known.get(hash);
    if (record) return this.used(record);
    if (this.unknown.has(hash)) return undefined;
    return this.lookUp(hash);
  }

  private used(record: KeyRecord): KeyRecord {
    this.lastUsed.set(record.id, this.now());
    return record;
  }

  private async lookUp(hash: string): Promise<KeyRecord | undefined> {
    const found = await findKeyByHash(this.store, hash);
    if (!found || found.revokedAt !== null) {
      if (this.unknown.size >= MAX_CACHED) this.unknown.clear();
      this.unknown.add(hash);
      return undefined;
    }
    if (this.known.size >= MAX_CACHED) this.known.clear();
    this.known.set(hash, found);
    return this.used(found);
  }

  /** Drops the caches now (after a create or revoke through this process). */
  invalidate(): void {
    this.known.clear();
    this.unknown.clear();
    this.checkedAt = -Infinity;
  }

  /** Writes pending `last_used_at` times. */
  async flushLastUsed(): Promise<void> {
    if (this.lastUsed.size === 0) return;
    const batch = new Map(this.lastUsed);
    this.lastUsed.clear();
    try {
      await touchKeys(this.store, batch);
    } catch (error) {
      // Bookkeeping only: a busy or closed store must not break requests.
      console.error('[mofang] could not record key use:', loggableMessage(error));
    }
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.stampTimer);
    await this.checking;
    await this.flushLastUsed();
  }

  /** Re-reads the stamp when it is older than the interval, in the background; a change drops the caches. */
  private refresh(due = false): void {
    const now = this.now();
    if (this.checking || (!due && now - this.checkedAt < this.stampIntervalMs)) return;
    this.checkedAt = now;
    this.checking = keysStamp(this.store)
      .then((stamp) => {
        if (stamp !== this.stamp) {
          this.stamp = stamp;
          this.known.clear();
          this.unknown.clear();
        }
      })
      .catch((error: unknown) => console.error('[mofang] could not read the key table:', loggableMessage(error)))
      .finally(() => {
        this.checking = undefined;
      });
  }

  /** Waits for a stamp read in flight (tests). */
  async settled(): Promise<void> {
    await this.checking;
  }
}
