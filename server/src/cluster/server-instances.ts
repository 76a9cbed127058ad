/**
 * How many Mofang servers share the store, for limits that must hold across them (a `/v1` key's rate
 * limit, a model endpoint's concurrency: each server takes `limit / servers`).
 *
 * On PostgreSQL each server upserts its row of `server_instances` every `beatMs` (default 5 s) and counts
 * the rows seen within `leaseMs` (default 15 s): a server that stops deletes its row, one that dies drops
 * out of the count a lease later. Between beats the count is a plain number in memory, so a limit reads
 * it for free. On SQLite (one server per file) nothing is written and the count is always 1.
 *
 * The count is never below 1 (this server), and a failed beat keeps the last count.
 */
import { hostname } from 'node:os';
import { newId } from '../common/ids.js';
import { beatServer, forgetServersBefore, leaveServer, liveServerCount } from '../storage/server-instances.js';
import type { DataStore } from '../storage/store.js';

export interface ServerInstancesOptions {
  /** How often the row is refreshed and the servers counted, ms (default 5 000). */
  beatMs?: number;
  /** A row seen within this long is a live server, ms (default 15 000; keep it ≥ 2 beats). */
  leaseMs?: number;
  now?: () => number;
  /** Told the count after every beat (clients made since the last one take their share then). */
  onCount?: (servers: number) => void;
}

/** This server's heartbeat and the count of live servers. */
export class ServerInstances {
  readonly id = newId();
  private servers = 1;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private closed = false;
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly listeners = new Set<(servers: number) => void>();

  constructor(
    private readonly store: DataStore,
    private readonly options: ServerInstancesOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    if (options.onCount) this.listeners.add(options.onCount);
  }

  /** Live servers sharing the store, this one included (1 on SQLite, or before the first beat). */
  get count(): number {
    return this.servers;
  }

  /** Calls `listener` with the count after every beat (on PostgreSQL); returns the unsubscribe. */
  onCount(listener: (servers: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts beating (PostgreSQL only); resolves after the first beat. */
  async start(): Promise<void> {
    if (this.store.dialect !== 'postgres' || this.timer || this.closed) return;
    this.timer = setInterval(() => void this.beat(), this.options.beatMs ?? 5_000);
    this.timer.unref();
    await this.beat();
  }

  /** Refreshes this server's row and counts the live ones (PostgreSQL; nothing on SQLite). Never rejects. */
  beat(): Promise<void> {
    this.beating ??= this.beatOnce().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    if (this.closed || this.store.dialect !== 'postgres') return;
    const now = this.now();
    const lease = this.options.leaseMs ?? 15_000;
    try {
      await beatServer(this.store, { id: this.id, host: hostname(), startedAt: this.startedAt, now });
      const servers = Math.max(1, await liveServerCount(this.store, now - lease));
      // Rows of servers dead for a long time are of no use to anyone.
      if (Math.random() < 0.05) await forgetServersBefore(this.store, now - 100 * lease);
      if (this.closed) return;
      this.servers = servers;
      for (const listener of this.listeners) listener(servers);
    } catch {
      // The store is unreachable: keep the last count; the next beat tries again.
    }
  }

  /** Stops beating and removes this server's row (the others see one server fewer at their next beat). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.beating;
    if (this.store.dialect === 'postgres' && this.timer) await leaveServer(this.store, this.id).catch(() => undefined);
  }
}
