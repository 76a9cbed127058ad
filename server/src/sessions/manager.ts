/**
 * The live call sessions of a server (`LiveSessions`, ./ports.ts): creates sessions of published
 * versions, holds turns idempotently, ends sessions (by the caller, idle past the timeout, or past the
 * longest call allowed) with a final run stored in the run log, and fans events out to followers (a
 * session's `/v1` stream and desk, the supervisors' board). On SQLite, sessions not over when the server
 * stopped are taken up again at start: active ones go on, ones that were ending get their final run.
 *
 * On PostgreSQL several servers share the sessions (./cluster.ts): each holds the sessions it owns the
 * lease of, takes up only active ones whose lease ran out, passes posts for sessions held elsewhere on to
 * their holder, and follows other servers' sessions from the store (./stored-follow.ts, ./board-follow.ts).
 * A session's final run is queued in pg-boss as it is written `ending` (./final-run-queue.ts): its holder
 * makes it at once; should the holder die first, a worker on any server makes it after about a lease.
 */
import { loggableMessage } from '../storage/db-errors.js';
import type { LiveConfirmation } from '@shared/live.js';
import type { SessionEndReason, SessionTurn, SessionTurnInput } from '@shared/sessions.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { PublishedScenarios } from '../publish/registry.js';
import { SessionLeaseLost, SessionStepWriter } from '../storage/session-writer.js';
import { getCallSession, listCallSessions, openCallSessions, sessionEventsSince, sessionTurns, writeSessionStep, type CallSessionRow } from '../storage/sessions.js';
import { StoredBoardFollower } from './board-follow.js';
import { clusterHost, SessionCluster } from './cluster.js';
import { deskTokenOpens, newSession, takenUp } from './create.js';
import { FinalRunQueue } from './final-run-queue.js';
import type { PgQueue } from '../storage/pg-queue.js';
import { StoredSessionFollower } from './stored-follow.js';
import type { LiveSession } from './live-session.js';
import type { SessionDeps } from './live-types.js';
import { rowView, turnOf } from './stored.js';
import { NO_ALERTING, type LiveSessions, type SessionAlerting, type SessionEventRecord, type SessionView } from './ports.js';

export { DESK_TOKEN_AFTER_END_MS, transcriptInputOf } from './create.js';

export interface SessionManagerOptions extends Omit<SessionDeps, 'publish' | 'now' | 'alerting' | 'writer' | 'takeForwarded' | 'finalRuns'> {
  published: PublishedScenarios;
  alerting?: SessionAlerting;
  /** A session with no turn for this long ends by itself (`idle`), ms. */
  idleTimeoutMs: number;
  /** A session older than this ends by itself (`max_duration`), ms. */
  maxDurationMs: number;
  /** How often idle sessions are looked for, ms (default a quarter of the idle timeout, 1–10 s). */
  sweepMs?: number;
  /** How often a followed session held by another server is read from the store, ms (default 1000). */
  followPollMs?: number;
  /** PostgreSQL: how long a server's hold on its sessions lasts unrenewed, ms (default 30 s; renewed every third). */
  leaseMs?: number;
  /** PostgreSQL: how often posts passed on by other servers are taken in, ms (default 200). */
  inboxPollMs?: number;
  /** PostgreSQL (required there): pg-boss, through which final runs are queued (the JobService's `queue`). */
  queue?: PgQueue;
  /** PostgreSQL: how often this server's final-run worker looks for due jobs, s (default 2). */
  finalRunPollSeconds?: number;
  now?: () => number;
}

export class SessionManager implements LiveSessions {
  private readonly live = new Map<string, LiveSession>();
  private readonly followers = new Set<{ sessionId?: string; listener: (event: SessionEventRecord, session: SessionView) => void }>();
  private readonly deps: SessionDeps;
  private readonly sweep: ReturnType<typeof setInterval>;
  private readonly elsewhere: StoredSessionFollower;
  /** PostgreSQL: the leases, the take-up of expired sessions and the posts passed on between servers. */
  private readonly cluster: SessionCluster | undefined;
  private readonly board: StoredBoardFollower | undefined;
  /** Resolves once the sessions an earlier run left open are held again and, on PostgreSQL, the final-run queue is made (a miss of `live` waits for it). */
  readonly ready: Promise<void>;
  private closed = false;

  /** Throws on PostgreSQL without `options.queue`. */
  constructor(private readonly options: SessionManagerOptions) {
    const now = options.now ?? Date.now;
    const { store } = options;
    const lease = store.dialect === 'postgres' ? { owner: newId(), ms: options.leaseMs ?? 30_000 } : undefined;
    if (lease && !options.queue) throw new Error('live sessions on PostgreSQL need the job queue (SessionManagerOptions.queue)');
    const finalRuns = lease && options.queue ? new FinalRunQueue(options.queue, { leaseMs: lease.ms, deadlineMs: options.deadlineMs, pollSeconds: options.finalRunPollSeconds }) : undefined;
    this.deps = { ...options, writer: new SessionStepWriter(store, lease), alerting: options.alerting ?? NO_ALERTING, now, publish: (event, session) => this.fanOut(event, session), finalRuns };
    const heldHere = (id: string) => this.live.has(id);
    this.elsewhere = new StoredSessionFollower(store, options.followPollMs ?? 1_000, heldHere);
    if (lease && finalRuns) {
      const cluster = new SessionCluster(store, lease, finalRuns, clusterHost({ live: this.live, takeUp: (row) => this.takeUp(row), drop: (id) => this.drop(id), end: (id, reason) => this.end(id, reason), addTurns: (id, turns) => this.addTurns(id, turns) }), { inboxPollMs: options.inboxPollMs ?? 200, now });
      this.cluster = cluster;
      this.deps.takeForwarded = (id) => cluster.forwardedTurns(id);
      this.board = new StoredBoardFollower(store, options.followPollMs ?? 1_000, heldHere, now);
    }
    this.sweep = setInterval(() => this.endIdle(), options.sweepMs ?? Math.min(10_000, Math.max(1_000, Math.floor(options.idleTimeoutMs / 4))));
    this.sweep.unref();
    // PostgreSQL: pg-boss started and the queue made, so a session's end never waits for them in its transaction.
    const started = Promise.all([this.resume(), this.cluster?.queueReady()]).then(() => undefined);
    this.ready = started.catch((error: unknown) => console.error('[mofang] starting live sessions (taking up open ones, the final-run queue) failed:', loggableMessage(error)));
    if (this.cluster) void this.ready.then(() => (this.closed ? undefined : this.cluster?.start()));
  }

  /** This server's id as the holder of its sessions (PostgreSQL), or undefined (SQLite: one process). */
  get owner(): string | undefined {
    return this.cluster?.lease.owner;
  }

  /** The session held here: at once when it is, after the start's resume otherwise. */
  private async held(id: string): Promise<LiveSession | undefined> {
    const session = this.live.get(id);
    if (session) return session;
    await this.ready;
    return this.live.get(id);
  }

  /** Alerting, settable after construction (the app wires it once its settings store exists). */
  setAlerting(alerting: SessionAlerting): void {
    this.deps.alerting = alerting;
  }

  async create(input: Parameters<LiveSessions['create']>[0]): Promise<{ session: SessionView; deskToken: string }> {
    const { session, row, deskToken } = await newSession(this.deps, this.options.published, input, this.cluster?.lease);
    const { id, createdAt: now } = row;
    const started = { sessionId: id, seq: 0, name: 'session.started', data: { session_id: id, scenario: row.slug, version: row.version, call_id: row.callId }, at: now };
    await this.deps.writer.write(id, { session: row, events: [started] });
    this.live.set(id, session);
    this.fanOut(started, session);
    return { session: session.view(), deskToken };
  }

  async addTurns(id: string, turns: SessionTurnInput[]): Promise<{ accepted: number; duplicates: number; turnCount: number }> {
    const session = this.live.get(id) ?? (await this.held(id));
    if (!session) {
      // Held by another server (or by none, its lease over: then taken here).
      const passed = await this.cluster?.forwardTurns(id, turns);
      if (passed) return passed;
      if (this.live.has(id)) return this.addTurns(id, turns);
      if (await getCallSession(this.options.store, id)) throw new DomainError('conflict', 'session_ended', `session "${id}" has ended: it takes no more turns`);
      throw new DomainError('not_found', 'unknown_session', `no session "${id}"`);
    }
    if (session.status !== 'active') throw new DomainError('conflict', 'session_ended', `session "${id}" is ending: it takes no more turns`);
    try {
      return await session.add(turns);
    } catch (error) {
      // Another server took the session while this one paused: the turns go to it.
      if (!(error instanceof SessionLeaseLost)) throw error;
      this.drop(id);
      return this.addTurns(id, turns);
    }
  }

  async end(id: string, reason: SessionEndReason = 'ended'): Promise<SessionView> {
    let session = await this.held(id);
    if (!session && this.cluster && !(await this.cluster.forwardEnd(id, reason, this.options.deadlineMs + 5_000))) session = this.live.get(id);
    if (!session) {
      const view = await this.get(id);
      if (!view) throw new DomainError('not_found', 'unknown_session', `no session "${id}"`);
      return view;
    }
    try {
      await session.end(reason);
    } catch (error) {
      // A session that cannot be ended (its scenario deleted under it, the store failing) leaves memory:
      // the idle sweep must not try it again forever. What was stored stays as it was.
      this.drop(id);
      // Another server took the session meanwhile: the end goes to it.
      if (error instanceof SessionLeaseLost) return this.end(id, reason);
      throw error;
    }
    this.live.delete(id);
    return session.view();
  }

  async get(id: string): Promise<SessionView | undefined> {
    const session = await this.held(id);
    if (session) return session.view();
    const row = await getCallSession(this.options.store, id);
    return row ? rowView(row) : undefined;
  }

  async turns(id: string): Promise<SessionTurn[]> {
    const session = await this.held(id);
    if (session) return [...session.turns];
    return (await sessionTurns(this.options.store, id)).map(turnOf);
  }

  async list(filter: { status: 'active' | 'ended' | 'all'; scenarioId?: string; limit?: number }): Promise<SessionView[]> {
    await this.ready;
    const rows = await listCallSessions(this.options.store, { status: filter.status, scenarioId: filter.scenarioId, limit: Math.min(filter.limit ?? 200, 1000) });
    return rows.map((row) => this.live.get(row.id)?.view() ?? rowView(row));
  }

  async eventsSince(id: string, fromSeq: number): Promise<SessionEventRecord[]> {
    return (await sessionEventsSince(this.options.store, id, fromSeq)).map((e) => ({ sessionId: e.sessionId, seq: e.seq, name: e.name, data: e.data, at: e.at }));
  }

  subscribe(listener: (event: SessionEventRecord, session: SessionView) => void, sessionId?: string, fromSeq = 0): () => void {
    const entry = { sessionId, listener };
    this.followers.add(entry);
    // Sessions another server holds: their events come from the store (this server's own never name
    // them). On PostgreSQL a session held here now may move to another server (its lease taken): its
    // store follower reads only while it is not held here.
    let stored: (() => void) | undefined;
    if (!this.closed && sessionId === undefined) stored = this.board?.follow(listener);
    else if (!this.closed && sessionId !== undefined && (this.cluster || !this.live.has(sessionId))) stored = this.elsewhere.follow(sessionId, fromSeq, listener);
    return () => {
      this.followers.delete(entry);
      stored?.();
    };
  }

  verifyDeskToken(id: string, token: string): Promise<boolean> {
    return deskTokenOpens(this.options.store, id, token, this.deps.now());
  }

  async confirm(id: string, confirmation: LiveConfirmation): Promise<SessionView> {
    const session = await this.held(id);
    if (session) {
      await session.confirm(confirmation);
      return session.view();
    }
    if (!(await getCallSession(this.options.store, id))) throw new DomainError('not_found', 'unknown_session', `no session "${id}"`);
    await writeSessionStep(this.options.store, id, { patch: { confirmation } });
    const view = await this.get(id);
    if (!view) throw new DomainError('not_found', 'unknown_session', `no session "${id}"`);
    return view;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweep);
    this.elsewhere.close();
    this.board?.close();
    this.cluster?.stop();
    await this.ready;
    await Promise.all([...this.live.values()].map((s) => s.settle()));
    await this.deps.writer.flush();
    // Several servers: the sessions held here are let go, for another server to take up at once.
    await this.cluster?.release().catch((error: unknown) => console.error('[mofang] letting go of live sessions failed:', loggableMessage(error)));
    this.followers.clear();
  }

  /**
   * Stops every timer and forgets every session without writing anything, as a server killed with
   * SIGKILL leaves the store: its leases run out and other servers take its sessions up (tests).
   */
  abandon(): void {
    this.closed = true;
    clearInterval(this.sweep);
    this.elsewhere.close();
    this.board?.close();
    this.cluster?.stop();
    for (const session of this.live.values()) session.release();
    this.live.clear();
    this.followers.clear();
  }

  /** Active sessions in memory (for stats and tests). */
  get activeCount(): number {
    return this.live.size;
  }

  private fanOut(event: SessionEventRecord, session: LiveSession): void {
    if (this.followers.size === 0) return;
    const view = session.view();
    for (const f of this.followers) {
      if (f.sessionId !== undefined && f.sessionId !== event.sessionId) continue;
      try {
        f.listener(event, view);
      } catch (error) {
        console.error(`[mofang] a follower of session ${event.sessionId} failed:`, loggableMessage(error));
      }
    }
  }

  /** Ends the sessions held here that are idle or too long (on PostgreSQL another server's, once its lease ran out and this one took it up). */
  private endIdle(): void {
    const now = this.deps.now();
    for (const session of this.live.values()) {
      if (session.status !== 'active') continue;
      const reason: SessionEndReason | undefined = now - session.fixed.createdAt >= this.options.maxDurationMs ? 'max_duration' : now - session.lastActivityAt >= this.options.idleTimeoutMs ? 'idle' : undefined;
      if (reason) this.end(session.id, reason).catch((error: unknown) => console.error(`[mofang] session ${session.id}: ending it (${reason}) failed:`, loggableMessage(error)));
    }
  }

  /**
   * Takes up the sessions a previous run of the server left open (SQLite), or the active ones whose lease
   * ran out (PostgreSQL: ending ones are the final-run queue's).
   */
  private async resume(): Promise<void> {
    if (this.cluster) return this.cluster.takeUpExpired();
    for (const row of await openCallSessions(this.options.store)) {
      if (this.closed) return;
      await this.takeUp(row);
    }
  }

  /** Holds a stored open session here: an active one goes on, an ending one gets its final run. */
  private async takeUp(row: CallSessionRow): Promise<void> {
    const session = await takenUp(this.deps, this.options.published, row);
    if (!session || this.closed) return;
    this.live.set(row.id, session);
    if (row.status === 'ending') void this.end(row.id, row.endReason ?? 'ended').catch(() => undefined);
    // Turns held while an update was in flight when the server stopped: updated now, not at the next turn.
    else session.schedule();
  }

  /** Forgets a session another server holds now (its updates in flight fail to write). */
  private drop(id: string): void {
    this.live.get(id)?.release();
    this.live.delete(id);
  }
}
