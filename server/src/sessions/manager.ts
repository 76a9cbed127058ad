/**
 * The live call sessions of a server (`LiveSessions`, ./ports.ts): creates sessions of published
 * versions, holds turns idempotently, ends sessions (by the caller, idle past the timeout, or past the
 * longest call allowed) with a final run stored in the run log, and fans events out to followers (a
 * session's `/v1` stream and desk, the supervisors' board). Sessions not over when the server stopped are
 * taken up again at start: active ones go on, ones that were ending get their final run.
 */
import { loggableMessage } from '../storage/db-errors.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionAlert } from '@shared/alerts.js';
import type { LiveConfirmation } from '@shared/live.js';
import { MAX_SESSION_TEXT, MAX_SESSION_TURNS, type SessionEndReason, type SessionTurn, type SessionTurnInput } from '@shared/sessions.js';
import { normaliseRole } from '@shared/transcript.js';
import { isRecord } from '@shared/json.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { ExecutionPlan } from '../engine/index.js';
import type { Graph } from '@shared/graph.js';
import type { PublishedScenarios } from '../publish/registry.js';
import { SessionStepWriter } from '../storage/session-writer.js';
import { getCallSession, lastSessionEvent, listCallSessions, openCallSessions, sessionEventsSince, sessionTurns, writeSessionStep, type CallSessionRow } from '../storage/sessions.js';
import { StoredSessionFollower } from './stored-follow.js';
import { LiveSession, type SessionDeps } from './live-session.js';
import { reflectedTurns, rowView, turnOf } from './stored.js';
import { NO_ALERTING, type LiveSessions, type SessionAlerting, type SessionEventRecord, type SessionView } from './ports.js';

export interface SessionManagerOptions extends Omit<SessionDeps, 'publish' | 'now' | 'alerting' | 'writer'> {
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
  now?: () => number;
}

/** The start input a session's turns fill: the start node's first input of type transcript. */
export function transcriptInputOf(resolved: { plan: ExecutionPlan; graph: Graph }): string | undefined {
  const start = resolved.graph.nodes.find((n) => n.id === resolved.plan.startId);
  const inputs: unknown = start?.config.inputs;
  if (!Array.isArray(inputs)) return undefined;
  const found: unknown = inputs.find((i: unknown) => isRecord(i) && i.type === 'transcript');
  return isRecord(found) && typeof found.name === 'string' ? found.name : undefined;
}

/** How long after its session ended a desk token still opens it, ms (a day). */
export const DESK_TOKEN_AFTER_END_MS = 86_400_000;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export class SessionManager implements LiveSessions {
  private readonly live = new Map<string, LiveSession>();
  private readonly followers = new Set<{ sessionId?: string; listener: (event: SessionEventRecord, session: SessionView) => void }>();
  private readonly deps: SessionDeps;
  private readonly sweep: ReturnType<typeof setInterval>;
  private readonly elsewhere: StoredSessionFollower;
  /** Resolves once the sessions an earlier run left open are held again (a miss of `live` waits for it). */
  readonly ready: Promise<void>;
  private closed = false;

  constructor(private readonly options: SessionManagerOptions) {
    const now = options.now ?? Date.now;
    this.deps = { ...options, writer: new SessionStepWriter(options.store), alerting: options.alerting ?? NO_ALERTING, now, publish: (event, session) => this.fanOut(event, session) };
    this.elsewhere = new StoredSessionFollower(options.store, options.followPollMs ?? 1_000, (id) => this.live.has(id));
    this.sweep = setInterval(() => this.endIdle(), options.sweepMs ?? Math.min(10_000, Math.max(1_000, Math.floor(options.idleTimeoutMs / 4))));
    this.sweep.unref();
    this.ready = this.resume().catch((error: unknown) => console.error('[mofang] taking up open live sessions failed:', loggableMessage(error)));
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
    const resolved = await this.options.published.resolve(input.slug, input.version);
    if ('error' in resolved) {
      if (resolved.error === 'unknown_version') throw new DomainError('not_found', 'unknown_version', `scenario "${input.slug}" has no version ${input.version}`);
      if (resolved.error === 'version_not_runnable') throw new DomainError('conflict', 'version_not_runnable', resolved.message);
      throw new DomainError('not_found', 'unknown_scenario', `no published scenario "${input.slug}"`);
    }
    const transcriptInput = transcriptInputOf(resolved);
    if (!transcriptInput) {
      throw new DomainError('unprocessable', 'no_transcript_input', `scenario "${input.slug}" has no input of type transcript for the call's turns to fill; add one to its start node`, { scenario: input.slug });
    }
    const inputs = input.inputs ?? {};
    if (transcriptInput in inputs) throw new DomainError('invalid', 'invalid_inputs', `"inputs.${transcriptInput}" is the transcript, which the session's turns make: leave it out`, { path: transcriptInput });
    const problems = resolved.plan.validateInputs({ ...inputs, [transcriptInput]: { turns: [] } });
    if (problems) {
      const first = problems[0];
      throw new DomainError('invalid', 'invalid_inputs', `invalid inputs at "${first?.path || '(root)'}": ${first?.message ?? 'invalid'}`, { problems });
    }
    const now = this.deps.now();
    const id = newId();
    const deskToken = randomBytes(24).toString('base64url');
    const meta = input.callId || input.meta ? { ...(input.meta ?? {}), ...(input.callId ? { call_id: input.callId } : {}) } : null;
    const fixed = { id, scenarioId: resolved.scenarioId, slug: resolved.slug, version: resolved.version, apiKeyId: input.apiKeyId, callId: input.callId ?? null, meta, inputs, createdAt: now };
    const session = new LiveSession(this.deps, resolved.plan, transcriptInput, fixed, { status: 'active', turns: [], outputs: null, alerts: [], updateCount: 0, nextEvent: 1, simulated: false, lastTurnAt: null, lastActivityAt: now, confirmation: null, metrics: null });
    const row: CallSessionRow = {
      ...fixed,
      status: 'active',
      turnCount: 0,
      updateCount: 0,
      nextEvent: 1,
      outputs: null,
      alerts: [],
      metrics: null,
      simulated: false,
      deskTokenHash: hashToken(deskToken).toString('hex'),
      lastTurnAt: null,
      lastActivityAt: now,
      endedAt: null,
      endReason: null,
      finalRunId: null,
      finalRun: null,
      confirmation: null,
    };
    const started = { sessionId: id, seq: 0, name: 'session.started', data: { session_id: id, scenario: resolved.slug, version: resolved.version, call_id: fixed.callId }, at: now };
    await this.deps.writer.write(id, { session: row, events: [started] });
    this.live.set(id, session);
    this.fanOut(started, session);
    return { session: session.view(), deskToken };
  }

  async addTurns(id: string, turns: SessionTurnInput[]): Promise<{ accepted: number; duplicates: number; turnCount: number }> {
    const session = this.live.get(id) ?? (await this.held(id));
    if (!session) {
      if (await getCallSession(this.options.store, id)) throw new DomainError('conflict', 'session_ended', `session "${id}" has ended: it takes no more turns`);
      throw new DomainError('not_found', 'unknown_session', `no session "${id}"`);
    }
    if (session.status !== 'active') throw new DomainError('conflict', 'session_ended', `session "${id}" is ending: it takes no more turns`);
    const fresh: SessionTurn[] = [];
    const inPost = new Set<string>();
    let duplicates = 0;
    let seq = session.turns.length;
    for (const t of turns) {
      let turnId = t.id === undefined ? `t${seq + 1}` : String(t.id);
      // A turn without an id is new by definition: its number never makes it a duplicate of a turn sent
      // with that id (it would be dropped unseen), so it takes the next free name.
      for (let k = 2; t.id === undefined && (session.has(turnId) || inPost.has(turnId)); k++) turnId = `t${seq + 1}-${k}`;
      if (session.has(turnId) || inPost.has(turnId)) {
        duplicates++;
        continue;
      }
      inPost.add(turnId);
      seq++;
      fresh.push({ id: turnId, role: normaliseRole(t.role), text: t.text, ...(t.start !== undefined ? { start: t.start } : {}), ...(t.end !== undefined ? { end: t.end } : {}), seq });
    }
    if (session.turns.length + fresh.length > MAX_SESSION_TURNS) {
      throw new DomainError('too_large', 'too_many_turns', `a session holds at most ${MAX_SESSION_TURNS} turns; this one has ${session.turns.length} and the request adds ${fresh.length}: end it and start another`, { limit: MAX_SESSION_TURNS });
    }
    const added = fresh.reduce((sum, t) => sum + t.text.length, 0);
    if (session.textLength + added > MAX_SESSION_TEXT) {
      throw new DomainError('too_large', 'session_too_large', `a session holds at most ${MAX_SESSION_TEXT} characters of turns; this one has ${session.textLength} and the request adds ${added}: end it and start another`, { limit: MAX_SESSION_TEXT });
    }
    // The count when this post's turns are held (a post racing this one may add more while they are stored).
    const turnCount = session.turns.length + fresh.length;
    if (fresh.length > 0) await session.hold(fresh, performance.now());
    return { accepted: fresh.length, duplicates, turnCount };
  }

  async end(id: string, reason: SessionEndReason = 'ended'): Promise<SessionView> {
    const session = await this.held(id);
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
      this.live.delete(id);
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
    // A session another server holds: its events come from the store (this server's own never name it).
    const stored = sessionId !== undefined && !this.live.has(sessionId) && !this.closed ? this.elsewhere.follow(sessionId, fromSeq, listener) : undefined;
    return () => {
      this.followers.delete(entry);
      stored?.();
    };
  }

  async verifyDeskToken(id: string, token: string): Promise<boolean> {
    const row = await getCallSession(this.options.store, id);
    // The token opens its session while the call is on and for a day after it ended, no longer.
    if (!row || (row.endedAt !== null && this.deps.now() - row.endedAt > DESK_TOKEN_AFTER_END_MS)) return false;
    const expected = Buffer.from(row.deskTokenHash, 'hex');
    const given = hashToken(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
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
    await this.ready;
    await Promise.all([...this.live.values()].map((s) => s.settle()));
    await this.deps.writer.flush();
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

  private endIdle(): void {
    const now = this.deps.now();
    for (const session of this.live.values()) {
      if (session.status !== 'active') continue;
      const reason: SessionEndReason | undefined = now - session.fixed.createdAt >= this.options.maxDurationMs ? 'max_duration' : now - session.lastActivityAt >= this.options.idleTimeoutMs ? 'idle' : undefined;
      if (reason) this.end(session.id, reason).catch((error: unknown) => console.error(`[mofang] session ${session.id}: ending it (${reason}) failed:`, loggableMessage(error)));
    }
  }

  /** Takes up the sessions a previous run of the server left open. */
  private async resume(): Promise<void> {
    for (const row of await openCallSessions(this.options.store)) {
      if (this.closed) return;
      const resolved = await this.options.published.resolve(row.slug, row.version);
      const transcriptInput = 'error' in resolved ? undefined : transcriptInputOf(resolved);
      if ('error' in resolved || !transcriptInput) {
        await writeSessionStep(this.options.store, row.id, { patch: { status: 'ended', endedAt: this.deps.now(), endReason: row.endReason ?? 'ended' } });
        continue;
      }
      const turns = (await sessionTurns(this.options.store, row.id)).map(turnOf);
      const reflected = reflectedTurns((await lastSessionEvent(this.options.store, row.id, 'session.updated'))?.data);
      const fixed = { id: row.id, scenarioId: row.scenarioId, slug: row.slug, version: row.version, apiKeyId: row.apiKeyId, callId: row.callId, meta: isRecord(row.meta) ? row.meta : null, inputs: isRecord(row.inputs) ? row.inputs : {}, createdAt: row.createdAt };
      const session = new LiveSession(this.deps, resolved.plan, transcriptInput, fixed, {
        status: 'active',
        turns,
        outputs: isRecord(row.outputs) ? row.outputs : null,
        alerts: Array.isArray(row.alerts) ? (row.alerts as SessionAlert[]) : [],
        updateCount: row.updateCount,
        nextEvent: row.nextEvent,
        simulated: row.simulated,
        lastTurnAt: row.lastTurnAt,
        lastActivityAt: row.lastActivityAt,
        confirmation: (row.confirmation ?? null) as LiveConfirmation | null,
        metrics: row.metrics,
        reflected,
      });
      this.live.set(row.id, session);
      if (row.status === 'ending') void this.end(row.id, row.endReason ?? 'ended').catch(() => undefined);
      // Turns held while an update was in flight when the server stopped: updated now, not at the next turn.
      else session.schedule();
    }
  }
}
