/** What a live session (./live-session.ts) is built from: the deps its manager shares, its fixed facts and its state. */
import type { SessionAlert } from '@shared/alerts.js';
import type { LiveConfirmation } from '@shared/live.js';
import type { SessionStatus, SessionTurn, SessionTurnInput } from '@shared/sessions.js';
import type { ModelResolver } from '../model/types.js';
import type { EngineServices } from '../nodes/kit.js';
import type { ApiRunRecord } from '../storage/run-log.js';
import type { SessionStepWriter } from '../storage/session-writer.js';
import type { DataStore } from '../storage/store.js';
import type { FinalRunJobs } from './final-run-queue.js';
import type { LiveSession } from './live-session.js';
import type { SessionAlerting, SessionEventRecord } from './ports.js';

/** What every session of a manager shares. */
export interface SessionDeps {
  store: DataStore;
  /** Writes every step of every session (group commit). */
  writer: SessionStepWriter;
  models: ModelResolver;
  services: EngineServices;
  alerting: SessionAlerting;
  /** `write` stores a run at once, in the caller's transaction (the final run goes with the session's end). */
  runLog: { writeIn(tx: DataStore, record: ApiRunRecord): Promise<void> };
  /** Deadline of one update or final run, ms. */
  deadlineMs: number;
  /** Hands a stored event to the session's and the board's followers. */
  publish(event: SessionEventRecord, session: LiveSession): void;
  /**
   * Several servers: takes the posts of turns other servers passed on for session `id` (a session that
   * ends reads them in before its final run). Absent on SQLite.
   */
  takeForwarded?(id: string): Promise<SessionTurnInput[][]>;
  /**
   * PostgreSQL: the final run's queued job, sent with the write of `ending` and deleted with the write of
   * `ended` (./final-run-queue.ts). Absent on SQLite.
   */
  finalRuns?: FinalRunJobs;
  now(): number;
}

/** What never changes in a session. */
export interface SessionFixed {
  id: string;
  scenarioId: string;
  slug: string;
  version: number;
  apiKeyId: string | null;
  callId: string | null;
  meta: Record<string, unknown> | null;
  inputs: Record<string, unknown>;
  createdAt: number;
}

/** A session's state when it is made (new, or taken up from the store). */
export interface SessionState {
  status: SessionStatus;
  turns: SessionTurn[];
  outputs: Record<string, unknown> | null;
  alerts: SessionAlert[];
  updateCount: number;
  nextEvent: number;
  simulated: boolean;
  lastTurnAt: number | null;
  lastActivityAt: number;
  confirmation: LiveConfirmation | null;
  metrics: unknown;
  /** Turns the last stored update read (a server killed during an update stored none for the later turns); default all. */
  reflected?: number;
}
