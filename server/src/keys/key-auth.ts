/**
 * Checks API keys on the hot path without touching the database for known keys: an in-memory map of
 * hash → key, dropped whenever the key table's stamp changes (a key created or revoked here or by the
 * CLI in another process; the stamp is read at most once a second). `last_used_at` is written in
 * batches by a timer, never per request.
 */
import type { Db } from '../storage/db.js';
import { findKeyByHash, keysStamp, touchKeys, type KeyRecord } from '../storage/keys.js';
import { hashKey, looksLikeKey } from './secret.js';

export interface KeyAuthOptions {
  /** How often the key table's stamp is re-read, in ms (default 1000). */
  stampIntervalMs?: number;
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
  private readonly stampIntervalMs: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    options: KeyAuthOptions = {},
  ) {
    this.stampIntervalMs = options.stampIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.flushLastUsed(), options.touchIntervalMs ?? 5000);
    this.timer.unref();
  }

  /** The active key this token is, or undefined for anything else (malformed, unknown, revoked). */
  verify(token: string): KeyRecord | undefined {
    if (!looksLikeKey(token)) return undefined;
    this.refresh();
    const hash = hashKey(token);
    let record = this.known.get(hash);
    if (!record) {
      if (this.unknown.has(hash)) return undefined;
      const found = findKeyByHash(this.db, hash);
      if (!found || found.revokedAt !== null) {
        if (this.unknown.size >= MAX_CACHED) this.unknown.clear();
        this.unknown.add(hash);
        return undefined;
      }
      if (this.known.size >= MAX_CACHED) this.known.clear();
      this.known.set(hash, found);
      record = found;
    }
    this.lastUsed.set(record.id, this.now());
    return record;
  }

  /** Drops the caches now (after a create or revoke through this process). */
  invalidate(): void {
    this.known.clear();
    this.unknown.clear();
    this.checkedAt = -Infinity;
  }

  /** Writes pending `last_used_at` times. */
  flushLastUsed(): void {
    if (this.lastUsed.size === 0) return;
    const batch = new Map(this.lastUsed);
    this.lastUsed.clear();
    try {
      touchKeys(this.db, batch);
    } catch (error) {
      // Bookkeeping only: a busy or closed store must not break requests.
      console.error('[mofang] could not record key use:', error instanceof Error ? error.message : String(error));
    }
  }

  /** Stops the timer and writes what is pending. */
  close(): void {
    clearInterval(this.timer);
    this.flushLastUsed();
  }

  private refresh(): void {
    const now = this.now();
    if (now - this.checkedAt < this.stampIntervalMs) return;
    this.checkedAt = now;
    const stamp = keysStamp(this.db);
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      this.known.clear();
      this.unknown.clear();
    }
  }
}
