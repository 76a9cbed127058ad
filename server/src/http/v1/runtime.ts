/**
 * The published API's long-lived state: the key cache, the rate limiter and the write-behind run log.
 * Created once per server and closed before the store (the close writes queued runs).
 */
import { KeyAuth } from '../../keys/key-auth.js';
import { RateLimiter } from '../../keys/rate-limit.js';
import { ServerInstances } from '../../cluster/server-instances.js';
import type { DataStore } from '../../storage/store.js';
import { RunLog } from '../../storage/run-log.js';
import { DEFAULT_API_CONFIG, type ApiConfig } from '../../common/api-config.js';

/** A succeeded `/v1` run as human review reads it. */
export interface ReviewableRun {
  scenarioId: string;
  slug: string;
  version: number;
  runId: string;
  inputs: unknown;
  outputs: unknown;
  simulated: boolean;
}

/** What `/v1` and the key and metrics routes share. */
export interface V1Runtime {
  config: ApiConfig;
  keys: KeyAuth;
  limiter: RateLimiter;
  /** The servers sharing the store (PostgreSQL: a heartbeat; SQLite: one): each key's limit is split among them. */
  instances: ServerInstances;
  runLog: RunLog;
  /**
   * Human review of succeeded runs (set by createApp): queues a run whose result the scenario's rules
   * choose, and returns the queued item's id (the reply's `review_url` points at it).
   */
  review?: { chooseRun(run: ReviewableRun): string | undefined };
  /** Writes queued runs and key use, stops timers; resolves when the run log is committed. Idempotent. */
  close(): Promise<void>;
}

/** Builds the runtime over a store. */
export function createV1Runtime(store: DataStore, config: ApiConfig = DEFAULT_API_CONFIG): V1Runtime {
  const keys = new KeyAuth(store);
  const runLog = new RunLog(store, { retentionDays: config.retentionDays, retentionRows: config.retentionRows, worker: true });
  // A first prune shortly after start, off the start-up path.
  const firstPrune = setTimeout(() => void runLog.prune(), 5_000);
  firstPrune.unref();
  const limiter = new RateLimiter();
  // A key's limit holds across servers: each takes its share (one server until the first beat is in).
  const instances = new ServerInstances(store, { onCount: (servers) => limiter.setServers(servers) });
  void instances.start();
  let closed: Promise<void> | undefined;
  return {
    config,
    keys,
    limiter,
    instances,
    runLog,
    close() {
      if (!closed) {
        clearTimeout(firstPrune);
        closed = Promise.all([keys.close(), runLog.close(), instances.close()]).then(() => undefined);
      }
      return closed;
    },
  };
}
