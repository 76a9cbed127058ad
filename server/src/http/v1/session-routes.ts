/**
 * `/v1` live call sessions: create one on a published scenario, post its finalised turns, follow its
 * events (SSE; `Last-Event-ID` resumes from the stored stream), read it, end it. Same bearer keys and
 * scopes as the run API: a session is its key's (one holding `runs:read` may read others' in its scope,
 * never post turns to them or end them); anyone else's is a 404, as an unknown one.
 */
import express, { Router, type Request, type Response } from 'express';
import { createSession } from 'better-sse';
import { V1SessionCreateBodySchema, type V1Session } from '@shared/sessions.js';
import { DomainError } from '../../common/domain-error.js';
import { sendDomainError, sendError } from '../errors.js';
import { jsonBodyLimits } from '../json-limits.js';
import { dropSlowFollower } from '../live-streams.js';
import { parseEventId } from '../sse.js';
import { V1_SESSION_EVENTS, type LiveSessions, type SessionEventRecord, type SessionView } from '../../sessions/ports.js';
import { authenticate, inScope, keyOf, mayRead } from './auth.js';
import { requestOrigin } from './origin.js';
import type { V1Runtime } from './runtime.js';
import { changeableSession, firstIssue, postTurns } from './session-turns.js';

const VERSION_PATTERN = /^[1-9]\d{0,8}$/;

/** A session as `GET /v1/sessions/{id}` shows it. */
export function sessionReply(s: SessionView): V1Session {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    session_id: s.id,
    scenario: s.slug,
    version: s.version,
    call_id: s.callId,
    meta: s.meta,
    status: s.status,
    turn_count: s.turnCount,
    outputs: s.outputs,
    alerts: s.alerts,
    created_at: new Date(s.createdAt).toISOString(),
    last_turn_at: iso(s.lastTurnAt),
    ended_at: iso(s.endedAt),
    end_reason: s.endReason,
    final_run_id: s.finalRunId,
    metrics: s.metrics,
  };
}

/**
 * Streams a session's events from `from` on, then the new ones, until `session.ended` or the client
 * goes. `names` filters what this stream carries (its seq numbers stay the session's).
 */
export async function streamSession(req: Request, res: Response, sessions: LiveSessions, id: string, from: number, names?: ReadonlySet<string>, render?: (event: SessionEventRecord) => unknown): Promise<void> {
  const sse = await createSession(req, res, { keepAlive: 15_000, retry: null, trustClientEventId: false });
  let next = from;
  let ended = false;
  const send = (event: SessionEventRecord) => {
    if (event.seq < next || ended) return;
    next = event.seq + 1;
    if (!names || names.has(event.name)) sse.push(render ? render(event) : event.data, event.name, `${event.sessionId}:${event.seq}`);
    if (dropSlowFollower(res)) {
      ended = true;
      return;
    }
    if (event.name === 'session.ended') {
      ended = true;
      res.end();
    }
  };
  // Follow first, then replay what is stored: an event written in between is sent once (by seq).
  const queued: SessionEventRecord[] = [];
  let replaying = true;
  const unsubscribe = sessions.subscribe((event) => (replaying ? queued.push(event) : send(event)), id, from);
  res.on('close', unsubscribe);
  for (const event of await sessions.eventsSince(id, from)) send(event);
  replaying = false;
  for (const event of queued) send(event);
  if (ended) unsubscribe();
}

/** The `/v1` session router; mount it at `/v1` before the catch-all `/v1` router. */
export function v1SessionRoutes(runtime: V1Runtime, sessions: LiveSessions): Router {
  const router = Router();
  const auth = authenticate(runtime);
  const body = [express.json({ limit: runtime.config.bodyLimit }), jsonBodyLimits()];

  /** The session if this key may see it (`change`: post turns or end it, which only its own key may), else a 404 sent. */
  const visible = async (req: Request<{ id: string }>, res: Response, change = false): Promise<SessionView | undefined> => {
    const key = keyOf(res);
    const session = key && (change ? await changeableSession(sessions, key, req.params.id) : await sessions.get(req.params.id));
    if (!key || !session || !(change || mayRead(key, session.slug, session.apiKeyId))) {
      sendError(res, 404, 'unknown_session', `no session "${req.params.id}"`);
      return undefined;
    }
    return session;
  };
  const refuse = (res: Response, error: unknown) => {
    if (error instanceof DomainError) return sendDomainError(res, error);
    throw error;
  };

  router.post('/scenarios/:slug/sessions', auth, ...body, async (req: Request<{ slug: string }>, res: Response) => {
    const key = keyOf(res);
    const slug = req.params.slug;
    if (!key || !inScope(key, slug)) return sendError(res, 404, 'unknown_scenario', `no published scenario "${slug}"`);
    const raw = req.query.version;
    if (raw !== undefined && (typeof raw !== 'string' || !VERSION_PATTERN.test(raw))) return sendError(res, 400, 'invalid_version', 'version must be a positive whole number, e.g. ?version=3');
    const parsed = V1SessionCreateBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) return sendError(res, 400, 'invalid_body', `the body must be { "call_id"?, "meta"?, "inputs"? }: ${firstIssue(parsed.error)}`, { issues: parsed.error.issues });
    try {
      const { session, deskToken } = await sessions.create({ slug, version: raw === undefined ? undefined : Number(raw), apiKeyId: key.id, callId: parsed.data.call_id, meta: parsed.data.meta, inputs: parsed.data.inputs });
      const origin = requestOrigin(req, runtime.config.publicUrl);
      res.status(201).json({
        session_id: session.id,
        scenario: session.slug,
        version: session.version,
        call_id: session.callId,
        status: 'active',
        created_at: new Date(session.createdAt).toISOString(),
        idle_timeout_ms: runtime.config.sessionIdleTimeoutMs,
        events_url: `${origin}/v1/sessions/${session.id}/events`,
        desk_url: `${origin}/#/desk/${session.id}?token=${encodeURIComponent(deskToken)}`,
      });
    } catch (error) {
      refuse(res, error);
    }
  });

  // Also taken by the /v1 fast lane (fast-run.ts) for a plain JSON body; both run the same operation.
  router.post('/sessions/:id/turns', auth, ...body, async (req: Request<{ id: string }>, res: Response) => {
    const key = keyOf(res);
    if (key) await postTurns(sessions, key, req.params.id, req.body, res);
  });

  router.get('/sessions/:id', auth, async (req: Request<{ id: string }>, res: Response) => {
    const session = await visible(req, res);
    if (session) res.json(sessionReply(session));
  });

  router.get('/sessions/:id/events', auth, async (req: Request<{ id: string }>, res: Response) => {
    const session = await visible(req, res);
    if (!session) return;
    const header = req.get('last-event-id');
    let from = 0;
    if (header !== undefined && header !== '') {
      const named = parseEventId(header);
      if (!named || named.runId !== session.id) return sendError(res, 400, 'invalid_last_event_id', `Last-Event-ID must be an event id of this session ("${session.id}:<n>")`);
      from = named.next;
    }
    const due = from === 0 ? undefined : await sessions.eventsSince(session.id, from - 1);
    // An ended session with nothing after the id: 204 tells an EventSource to stop reconnecting (a 200
    // would be a stream that never ends, as no event will come).
    if (due !== undefined && due.length <= 1 && session.status === 'ended') return void res.status(204).end();
    // An id this session has not reached (or had before its stream was cleared): nothing would ever be sent.
    if (due !== undefined && due[0]?.seq !== from - 1) return sendError(res, 400, 'invalid_last_event_id', `Last-Event-ID names no event of this session: it has events up to "${session.id}:${Math.max(0, ((await sessions.eventsSince(session.id, 0)).at(-1)?.seq ?? 0))}"`);
    await streamSession(req, res, sessions, session.id, from, V1_SESSION_EVENTS);
  });

  router.post('/sessions/:id/end', auth, async (req: Request<{ id: string }>, res: Response) => {
    const session = await visible(req, res, true);
    if (!session) return;
    try {
      const ended = await sessions.end(session.id, 'ended');
      // Still ending after the wait (its server died mid final run; another makes it from the queue): 202, to be read again.
      res.status(ended.status === 'ended' ? 200 : 202).json({ ...sessionReply(ended), final_run: ended.finalRun });
    } catch (error) {
      refuse(res, error);
    }
  });
  return router;
}
