/**
 * What the live call sessions domain offers the HTTP layer (`/v1` session routes, `/api/live/…`) and what
 * it needs from alerting. The manager (`./manager.ts`) implements {@link LiveSessions}; alert rules and
 * their webhook (`./alerts*.ts`) implement {@link SessionAlerting}.
 */
import type { SessionAlert } from '@shared/alerts.js';
import type { SessionEndReason, SessionMetrics, SessionStatus, SessionTurn, SessionTurnInput } from '@shared/sessions.js';
import type { LiveConfirmation } from '@shared/live.js';

/** A session as the domain hands it out (times epoch ms). */
export interface SessionView {
  id: string;
  scenarioId: string;
  slug: string;
  version: number;
  apiKeyId: string | null;
  callId: string | null;
  meta: Record<string, unknown> | null;
  status: SessionStatus;
  turnCount: number;
  updateCount: number;
  outputs: Record<string, unknown> | null;
  alerts: SessionAlert[];
  simulated: boolean;
  createdAt: number;
  lastTurnAt: number | null;
  endedAt: number | null;
  endReason: SessionEndReason | null;
  finalRunId: string | null;
  finalRun: import('@shared/sessions.js').SessionFinalRun | null;
  confirmation: LiveConfirmation | null;
  metrics: SessionMetrics;
}

/** One event of a session's stream, numbered from 0 within the session (the SSE id is `<session id>:<seq>`). */
export interface SessionEventRecord {
  sessionId: string;
  seq: number;
  /** One of `SESSION_EVENTS`: `session.started`, `session.turns`, `session.updated`, `session.alert`, `session.ended`. */
  name: string;
  data: unknown;
  at: number;
}

/** Names the `/v1` stream carries (the desk's and board's carry every one). */
export const V1_SESSION_EVENTS: ReadonlySet<string> = new Set(['session.updated', 'session.alert', 'session.ended']);

/** The sessions domain as the HTTP layer uses it. Every method throws `DomainError` on refusal. */
export interface LiveSessions {
  /**
   * Starts a session of a published scenario (`version`, or the live one); returns it and its desk token
   * (shown once). Refuses an unknown scenario or version (`not_found`), a version that does not run
   * (`conflict`), a scenario without a transcript input (`unprocessable`) and invalid other inputs (`invalid`).
   */
  create(input: {
    slug: string;
    version?: number;
    apiKeyId: string | null;
    callId?: string;
    meta?: Record<string, unknown>;
    inputs?: Record<string, unknown>;
  }): Promise<{ session: SessionView; deskToken: string }>;
  /**
   * Holds finalised turns (idempotent by id: a turn counts at once, so a concurrent post sees it) and
   * schedules an update; resolves once they are stored. `not_found` for an unknown id, `conflict`
   * `session_ended` once over.
   */
  addTurns(id: string, turns: SessionTurnInput[]): Promise<{ accepted: number; duplicates: number; turnCount: number }>;
  /** Ends the session: waits for the update in flight, runs the final run on the whole call, resolves the session as ended. Idempotent. */
  end(id: string, reason?: SessionEndReason): Promise<SessionView>;
  /** The session (held here, or as stored), or undefined. */
  get(id: string): Promise<SessionView | undefined>;
  turns(id: string): Promise<SessionTurn[]>;
  /** Sessions newest activity first (`status` `all` includes ended ones), at most `limit`. */
  list(filter: { status: 'active' | 'ended' | 'all'; scenarioId?: string; limit?: number }): Promise<SessionView[]>;
  /** Events of one session with `seq >= fromSeq`, in order (what a resumed stream replays). */
  eventsSince(id: string, fromSeq: number): Promise<SessionEventRecord[]>;
  /**
   * Follows every new event of every session (the board) — or of one, when `sessionId` is given. Returns
   * the unsubscribe. One session held by another server over the same store is followed in the store
   * from event `fromSeq` on (events may come again: followers skip seqs they have).
   */
  subscribe(listener: (event: SessionEventRecord, session: SessionView) => void, sessionId?: string, fromSeq?: number): () => void;
  /** Whether `token` is the desk token of session `id` (constant-time). */
  verifyDeskToken(id: string, token: string): Promise<boolean>;
  /** Stores what the agent confirmed; returns the session. */
  confirm(id: string, confirmation: LiveConfirmation): Promise<SessionView>;
  /** Ends every active session's timers and waits for runs in flight (no final runs: they resume at the next start). */
  close(): Promise<void>;
}

/** What an update hands the alert rules. */
export interface AlertCheck {
  scenarioId: string;
  outputs: Record<string, unknown>;
  /** The turns this update took in (for `keyword` rules). */
  newTurns: SessionTurn[];
  /** The ids of the rules already raised in this session (a rule raises once per session). */
  raised: ReadonlySet<string>;
  lastTurnId: string | null;
  now: number;
}

/** Alerting as the session manager calls it. */
export interface SessionAlerting {
  /** The alerts an update raises (new ones only): at once, or a promise when the rules must be read first. Never throws or rejects: a rule that cannot be read raises nothing. */
  check(input: AlertCheck): SessionAlert[] | Promise<SessionAlert[]>;
  /** Queues the webhook delivery of an alert (background, signed, retried); does nothing without a webhook. */
  deliver(session: SessionView, alert: SessionAlert, outputs: Record<string, unknown>): void;
  /** The output the board shows as a session's risk, or null. */
  riskOutput(scenarioId: string): string | null | Promise<string | null>;
}

/** Alerting when no rules are configured anywhere. */
export const NO_ALERTING: SessionAlerting = {
  check: () => [],
  deliver: () => undefined,
  riskOutput: () => null,
};
