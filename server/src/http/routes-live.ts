/**
 * The live pages under `/api/live` (shapes in `@shared/live.ts`): the supervisors' board (the sessions
 * list and its stream) with `live:read`, and the agent desk of one session (detail, stream, confirm)
 * with `live:read` (`live:write` to confirm) or the session's desk token (`Authorization: Bearer`),
 * which opens that one session only and reads it unmasked: it is the agent on the call. Signed-in
 * readers without `pii:read` see customers' data masked. A confirmation is stored on the session and,
 * when the scenario has review rules or evaluation sets, written as a case of its human-review set;
 * it is audited (`live.confirm`, no values). Without a sessions domain every route answers 503.
 */
import { Router, type Request, type Response } from 'express';
import { isRecord } from '@shared/json.js';
import { LiveConfirmBodySchema, type LiveConfirmation, type LiveSessionList } from '@shared/live.js';
import { auditedChangeIn, liveConfirmChange, type AuditActor } from '../audit/index.js';
import { DomainError } from '../common/domain-error.js';
import { liveViews, writeLiveCase } from '../review/live-cases.js';
import type { ReviewService } from '../review/service.js';
import type { LiveSessions, SessionView } from '../sessions/ports.js';
import type { DataStore } from '../storage/store.js';
import { riskOutputOf, sessionOtherInputs } from '../storage/live-pages.js';
import { getScenario } from '../storage/scenarios.js';
import { allow, allowOr, requestUser } from './access.js';
import { audits, clientAddress } from './audit-context.js';
import { HttpError, parseBody, sendError } from './errors.js';
import { liveDetail, liveSummary, maskedAlert, maskedDetail, maskedSummary, maskEventData, plainEventData, type ScenarioFacts } from './live-views.js';
import { boardStream, sessionStream } from './live-streams.js';
import { canReadPii, type PiiAccess } from './pii-access.js';
import { acceptsQuery } from './query-params.js';

/** What the live routes are built from. */
export interface LiveRouteDeps {
  store: DataStore;
  /** Absent: every route answers 503 `live_unavailable`. */
  sessions?: LiveSessions;
  review: ReviewService;
  readsPii?: PiiAccess;
}

/** Most sessions one list reply holds. */
const LIST_LIMIT = 500;
/** How long a scenario's name and risk output are reused by the board, ms (read per event otherwise). */
const FACTS_TTL_MS = 10_000;

const STATUSES = ['active', 'ended', 'all'] as const;

/** The desk token a request carries (`Authorization: Bearer <token>`), or undefined. */
function bearer(req: Request<unknown>): string | undefined {
  const header = req.get('authorization');
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

function paramId(req: Request<unknown>): string | undefined {
  return isRecord(req.params) && typeof req.params.id === 'string' ? req.params.id : undefined;
}

/** The session a request opened with its desk token (set by the access check), or undefined. */
function deskSessionOf(res: Response): string | undefined {
  const id: unknown = res.locals.deskSession;
  return typeof id === 'string' ? id : undefined;
}

function unavailable(): HttpError {
  return new HttpError(503, 'live_unavailable', 'live call sessions are not running on this server');
}

/** The routes of the live pages; mount on the `/api` router. */
export function liveRoutes(deps: LiveRouteDeps): Router {
  const router = Router();
  const readsPii = deps.readsPii ?? canReadPii;
  const facts = new Map<string, ScenarioFacts & { at: number }>();

  /** A scenario's facts: at once while cached, after a store read otherwise. */
  const factsNow = (scenarioId: string): ScenarioFacts | Promise<ScenarioFacts> => {
    const cached = facts.get(scenarioId);
    if (cached && Date.now() - cached.at < FACTS_TTL_MS) return cached;
    return Promise.all([riskOutputOf(deps.store, scenarioId), getScenario(deps.store, scenarioId)]).then(([riskOutput, scenario]) => {
      const fresh = { name: scenario?.name ?? '', riskOutput, at: Date.now() };
      facts.set(scenarioId, fresh);
      return fresh;
    });
  };
  const factsOf = async (scenarioId: string): Promise<ScenarioFacts> => factsNow(scenarioId);
  /** A board summary: at once while the scenario's facts are cached. */
  const summaryNow = (s: SessionView, plain: boolean) => {
    const summary = (f: ScenarioFacts) => (plain ? liveSummary(s, f) : maskedSummary(liveSummary(s, f)));
    const f = factsNow(s.scenarioId);
    return f instanceof Promise ? f.then(summary) : summary(f);
  };
  const sessionsOrFail = (): LiveSessions => {
    if (!deps.sessions) throw unavailable();
    return deps.sessions;
  };
  const sessionOf = async (id: string): Promise<SessionView> => {
    const session = await sessionsOrFail().get(id);
    if (!session) throw new DomainError('not_found', 'unknown_session', `no live call session "${id}"`);
    return session;
  };
  /** Whether this request sees customers' data: its desk token, or its user's `pii:read`. */
  const unmasked = (req: Request, res: Response) => deskSessionOf(res) !== undefined || readsPii(req);

  /** The desk token's way in: accepted for the session it names, refused (401) for any other. */
  const viaDeskToken = async <P>(req: Request<P>, res: Response): Promise<boolean | 'answered'> => {
    const token = bearer(req);
    if (token === undefined) return false;
    const id = paramId(req);
    if (!deps.sessions) {
      sendError(res, 503, 'live_unavailable', 'live call sessions are not running on this server');
      return 'answered';
    }
    if (id !== undefined && (await deps.sessions.verifyDeskToken(id, token))) {
      res.locals.deskSession = id;
      return true;
    }
    sendError(res, 401, 'invalid_desk_token', 'this desk token does not open this session (it belongs to another call, or has expired)');
    return 'answered';
  };

  router.get('/live/sessions', allow('live:read'), acceptsQuery('status', 'scenario'), async (req, res) => {
    const sessions = sessionsOrFail();
    const status = typeof req.query.status === 'string' && req.query.status !== '' ? req.query.status : 'active';
    if (!(STATUSES as readonly string[]).includes(status)) throw new DomainError('invalid', 'invalid_filter', 'status is active, ended or all', { path: 'status' });
    const scenarioId = typeof req.query.scenario === 'string' && req.query.scenario !== '' ? req.query.scenario : undefined;
    const listed = await sessions.list({ status: STATUSES.find((s) => s === status) ?? 'active', ...(scenarioId ? { scenarioId } : {}), limit: LIST_LIMIT });
    const active = await sessions.list({ status: 'active', ...(scenarioId ? { scenarioId } : {}) });
    const plain = readsPii(req);
    const summaries = await Promise.all(listed.map((s) => summaryNow(s, plain)));
    const reply: LiveSessionList = {
      sessions: summaries,
      counts: { active: active.length, alerting: active.filter((s) => s.alerts.length > 0).length },
    };
    res.json(reply);
  });

  router.get('/live/events', allow('live:read'), acceptsQuery(), async (req, res) => {
    const sessions = sessionsOrFail();
    const plain = readsPii(req);
    await boardStream(
      req,
      res,
      sessions,
      (s) => summaryNow(s, plain),
      (alert) => (plain ? alert : maskedAlert(alert)),
    );
  });

  router.get('/live/sessions/:id', allowOr('live:read', viaDeskToken), acceptsQuery(), async (req, res) => {
    const session = await sessionOf(req.params.id);
    const detail = liveDetail(session, await factsOf(session.scenarioId), await sessionsOrFail().turns(session.id), await liveViews(deps.review, session.scenarioId, session.version, session.outputs));
    res.json(unmasked(req, res) ? detail : maskedDetail(detail));
  });

  router.get('/live/sessions/:id/events', allowOr('live:read', viaDeskToken), acceptsQuery(), async (req, res) => {
    const sessions = sessionsOrFail();
    const session = await sessionOf(req.params.id);
    const plain = unmasked(req, res);
    await sessionStream(req, res, sessions, session.id, (event) => (plain ? plainEventData(event.data) : maskEventData(event.data)));
  });

  router.post('/live/sessions/:id/confirm', allowOr('live:write', viaDeskToken), audits('live.confirm'), acceptsQuery(), async (req, res) => {
    const sessions = sessionsOrFail();
    const session = await sessionOf(req.params.id);
    const body = parseBody(LiveConfirmBodySchema, req.body ?? {});
    if (session.outputs === null) throw new DomainError('conflict', 'nothing_to_confirm', 'the session has no outputs yet: confirm once the first update has arrived');
    const model = session.outputs;
    const unknown = Object.keys(body.outputs).filter((name) => !(name in model));
    if (unknown.length > 0) throw new DomainError('invalid', 'unknown_output', `"${unknown[0]}" is not an output of the scenario (outputs: ${Object.keys(model).join(', ')})`, { path: `outputs.${unknown[0]}`, output: unknown[0], allowed: Object.keys(model) });
    const changed = Object.keys(body.outputs).filter((name) => JSON.stringify(body.outputs[name]) !== JSON.stringify(model[name]));
    // A reader without pii:read sees masked values: an edit of them would store the masks as the answer.
    if (changed.length > 0 && !unmasked(req, res)) throw new HttpError(403, 'pii_read_required', 'changing a value needs pii:read: the values are masked for you (confirm them as they are, or ask the agent)');
    const user = requestUser(res);
    const desk = deskSessionOf(res) !== undefined;
    const by = user && !desk ? user.name : `desk:${session.callId ?? session.id}`;
    const actor: AuditActor = user && !desk ? { type: 'user', id: user.id, name: user.name, address: clientAddress(req) } : { type: 'api_key', id: session.apiKeyId, name: 'desk token', address: clientAddress(req) };
    const outputs = { ...model, ...body.outputs };
    const turns = await sessions.turns(session.id);
    // Past the transcript retention an ended session keeps its outputs but not its call: no case can be made of it.
    if (turns.length === 0 && session.turnCount > 0) throw new DomainError('conflict', 'transcripts_redacted', 'the session is past the transcript retention: its turns were cleared, so its confirmation cannot become a case');
    const otherInputs = await sessionOtherInputs(deps.store, session.id);
    // The review case, the confirmation and the audit record in one transaction.
    await auditedChangeIn(
      deps.review.store,
      actor,
      async (tx) => {
        const written = await writeLiveCase(deps.review.within(tx), { scenarioId: session.scenarioId, version: session.version, sessionId: session.id, runId: session.finalRunId, turns, meta: session.meta, otherInputs, outputs, by });
        const confirmation: LiveConfirmation = { outputs, corrected: changed.length > 0, by, at: new Date().toISOString(), case: written, ...(body.note === '' ? {} : { note: body.note }) };
        await sessions.confirm(session.id, confirmation);
        return written;
      },
      (written) => liveConfirmChange({ session: { id: session.id, slug: session.slug, scenarioId: session.scenarioId }, changed, replaced: session.confirmation !== null, case: written }),
    );
    const after = await sessionOf(session.id);
    const detail = liveDetail(after, await factsOf(after.scenarioId), await sessions.turns(after.id), await liveViews(deps.review, after.scenarioId, after.version, after.outputs));
    res.json(unmasked(req, res) ? detail : maskedDetail(detail));
  });
  return router;
}
