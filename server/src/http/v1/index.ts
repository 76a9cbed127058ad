/**
 * The published runtime API under `/v1`: every route needs an API key (the OpenAPI documents, mounted
 * before this router, do not). Kept to a few middlewares: run id, auth + rate limit, body parser.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { jsonBodyLimits } from '../json-limits.js';
import { getStoredApiRun } from '../../storage/run-log.js';
import { appStore, type AppDeps } from '../context.js';
import { authenticate, keyOf, mayRead } from './auth.js';
import { sendBodyTooLarge, sendInternalError, sendInvalidJson, sendV1Error, setRunId } from './respond.js';
import { runHandler, runOperation } from './run-route.js';
import type { V1Runtime } from './runtime.js';
import { detailFromRecord, detailFromStored } from './trace.js';

export { createV1Runtime, type V1Runtime } from './runtime.js';
export { apiConfigFromEnv, DEFAULT_API_CONFIG, type ApiConfig } from '../../common/api-config.js';

function hasField(value: unknown, key: string): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && key in value;
}

/** Body-parser failures and anything unexpected, as /v1 errors that carry the run id. */
const v1ErrorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err);
  const type = hasField(err, 'type') ? err.type : undefined;
  if (type === 'entity.parse.failed') return sendInvalidJson(res);
  if (type === 'entity.too.large') return sendBodyTooLarge(res, hasField(err, 'limit') && typeof err.limit === 'number' ? err.limit : undefined, /\/run(\/stream)?\/?$/.test(req.path) ? 'MOFANG_API_BODY_LIMIT' : undefined);
  const status = hasField(err, 'status') && typeof err.status === 'number' ? err.status : 500;
  if (status >= 400 && status < 500) {
    return sendV1Error(res, status, typeof type === 'string' ? type.replace(/\W+/g, '_') : 'bad_request', err instanceof Error ? err.message : 'bad request');
  }
  sendInternalError(res, err);
};

/**
 * The run operations, `POST /v1/scenarios/{slug}/run` and `…/run/stream` (mount it at `/v1` before
 * every other router: the API's hot path then passes through no other router's layers). Anything else
 * falls through to the routers after it.
 */
export function v1RunRoutes(deps: AppDeps, runtime: V1Runtime): Router {
  const router = Router();
  // Also assigns the run id every reply carries.
  const auth = authenticate(runtime);
  const run = runHandler(runOperation(deps, runtime));
  const body = [express.json({ limit: runtime.config.bodyLimit }), jsonBodyLimits(sendV1Error)];
  router.post('/scenarios/:slug/run', auth, ...body, run);
  // The same run answered as server-sent events: its own operation in the OpenAPI documents, so a
  // generated client types `/run`'s reply as JSON only.
  const asEventStream: RequestHandler = (req, _res, next) => {
    req.headers.accept = 'text/event-stream';
    next();
  };
  router.post('/scenarios/:slug/run/stream', auth, asEventStream, ...body, run);
  router.use(v1ErrorHandler);
  return router;
}

/** The rest of the `/v1` router (mount it at `/v1`, after {@link v1RunRoutes} and the public documents). */
export function v1Routes(deps: AppDeps, runtime: V1Runtime): Router {
  const router = Router();
  // Also assigns the run id every reply carries.
  router.use(authenticate(runtime));
  const store = appStore(deps);
  router.get('/runs/:id', async (req, res) => {
    const key = keyOf(res);
    const id = req.params.id;
    const pending = runtime.runLog.pending(id);
    const stored = pending ? undefined : await getStoredApiRun(store, id);
    const detail = pending ? detailFromRecord(pending) : stored ? detailFromStored(stored) : undefined;
    const owner = pending ? pending.apiKeyId : (stored?.apiKeyId ?? null);
    if (!key || !detail || !mayRead(key, detail.scenario, owner)) return sendV1Error(res, 404, 'unknown_run', `no run "${id}"`);
    setRunId(res, detail.run_id);
    res.json(detail);
  });
  router.use((req, res) => sendV1Error(res, 404, 'not_found', `no route ${req.method} /v1${req.path}`));
  router.use(v1ErrorHandler);
  return router;
}
