/**
 * The Express application: JSON API under `/api`, the built client everywhere else.
 */
import { loggableMessage } from '../storage/db-errors.js';
import { readFileSync } from 'node:fs';
import express, { type Express } from 'express';
import type { EndpointLoad, NodeKindSummary } from '@shared/api.js';
import { getNodeDefinition, NODE_KINDS } from '@shared/nodes/index.js';
import type { NodeDefinition } from '@shared/nodes/kit.js';
import { defaultModelInfo, describeModels, SIMULATOR_HINT, type ConfiguredModelResolver } from '../model/registry.js';
import type { ModelResolver } from '../model/types.js';
import { limitersOf } from '../model/limiter/limited-client.js';
import { appStore, type AppDeps } from './context.js';
import { errorHandler, sendError } from './errors.js';
import { publishRoutes } from './routes-publish.js';
import { docsRoutes } from './docs.js';
import { openapiRoutes } from '../openapi/routes.js';
import { runRoutes } from './routes-runs.js';
import { runNodeRoutes } from './routes-run-node.js';
import { scenarioRoutes } from './routes-scenarios.js';
import { templateRoutes } from './routes-templates.js';
import { DEFAULT_STATIC_DIR, staticRoutes } from './static.js';
import { compressReplies } from './compress.js';
import { createV1Runtime, v1Routes, v1RunRoutes, type V1Runtime } from './v1/index.js';
import { v1JobRoutes } from './v1/jobs-routes.js';
import { jobAdminRoutes } from './routes-jobs.js';
import { dashboardRoutes } from './routes-dashboard.js';
import { auditExtractor } from '../jobs/dashboard.js';
import { JobService } from '../jobs/service.js';
import type { PgQueue } from '../storage/pg-queue.js';
import { keyRoutes } from './routes-keys.js';
import { metricsRoutes } from './routes-metrics.js';
import { jsonBodyLimits } from './json-limits.js';
import { allow, requestUser } from './access.js';
import { authRoutes } from './routes-auth.js';
import { userRoutes } from './routes-users.js';
import { auditRoutes } from './routes-audit.js';
import { sessionMiddleware } from './session.js';
import { DEFAULT_AUTH_CONFIG } from '../users/auth-config.js';
import { LoginThrottle } from '../users/throttle.js';
import { newFlowKey, OidcClient } from '../users/oidc-client.js';
import { oidcRoutes } from './routes-oidc.js';
import { modelAliasRoutes, modelEndpointRoutes } from './routes-model-endpoints.js';
import { evalSetRoutes } from './routes-eval-sets.js';
import { EvaluationSets } from '../evaluation/sets.js';
import { EvaluationRuns } from '../evaluation/runs.js';
import { evalRunRoutes } from './routes-eval-runs.js';
import { PublishGates } from '../evaluation/gate.js';
import { publishGateRoutes } from './routes-publish-gate.js';
import { evalMetricRoutes } from './routes-eval-metrics.js';
import { knownModelAliases } from '../endpoints/config.js';
import { ReviewService } from '../review/service.js';
import { reviewRoutes } from './routes-review.js';
import { alertRuleRoutes } from './routes-alert-rules.js';
import { liveRoutes } from './routes-live.js';
import { SessionManager } from '../sessions/manager.js';
import type { DataStore } from '../storage/store.js';
import { v1SessionRoutes } from './v1/session-routes.js';
import { readyHandler } from './ready.js';
import { storeReadiness } from '../storage/readiness.js';

export type { AppDeps } from './context.js';

/** Largest accepted JSON body: a big graph with long prompts and pasted transcripts fits comfortably. */
export const BODY_LIMIT = '5mb';

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function summarise<C>(def: NodeDefinition<C>): NodeKindSummary {
  const defaults = def.defaults();
  return {
    kind: def.kind,
    version: def.version,
    category: def.category,
    label: def.label,
    description: def.description,
    defaults,
    inputs: def.inputs(defaults),
    outputs: def.outputs(defaults),
  };
}

/** The palette's view of every node kind; computed once, the definitions are static. */
function isConfigured(models: ModelResolver): models is ConfiguredModelResolver {
  return 'clients' in models && typeof models.clients === 'function';
}

/** The adaptive limit of each model endpoint used so far (a resolver that can list its clients). */
function endpointLoads(models: ModelResolver): EndpointLoad[] {
  const clients = isConfigured(models) ? models.clients() : [];
  return limitersOf(clients).map(({ name, limiter }) => {
    const s = limiter.stats();
    return { name, limit: s.limit, in_flight: s.liveInFlight + s.batchInFlight, queued: s.liveQueued + s.batchQueued, baseline_ms: s.baselineMs === null ? null : Math.round(s.baselineMs * 10) / 10 };
  });
}

export function nodeKindSummaries(): NodeKindSummary[] {
  const summaries: NodeKindSummary[] = [];
  for (const kind of NODE_KINDS) {
    const def = getNodeDefinition(kind);
    if (def) summaries.push(summarise(def));
  }
  return summaries;
}

/**
 * The jobs (created and started here when the caller gave none) and the evaluation runs over them,
 * which listen for job ends before the runner starts.
 */
function jobsAndRuns(deps: AppDeps, v1: V1Runtime): { jobs: JobService; sets: EvaluationSets; runs: EvaluationRuns; review: ReviewService } {
  const jobs = deps.jobs ?? new JobService(appStore(deps), deps.published, deps.models, deps.services, { runLog: v1.runLog });
  const sets = new EvaluationSets(appStore(deps));
  const runs = new EvaluationRuns(jobs, sets, () => ({ templateLimits: deps.services.templateLimits, modelAliases: knownModelAliases(deps.models) }));
  runs.start();
  // Human review chooses from /v1 runs (through the runtime the fast lane shares) and batch job items,
  // never holding up either: a run's choice is made from cached rules and written in the background,
  // job items are chosen in the background; a failure is logged.
  const log = deps.log ?? ((line: string) => console.error(line));
  const review = new ReviewService(deps.published, sets, Date.now, log);
  v1.review = { chooseRun: (run) => review.chooseNow(run) };
  jobs.onItemsSucceeded((items) => {
    review.choose(items.map((i) => ({ ...i, job: { jobId: i.jobId, itemId: i.itemId } }))).catch((error: unknown) => log(`[mofang] human review could not take ${items.length} job items: ${loggableMessage(error)}`));
  });
  const extract = auditExtractor(appStore(deps), log);
  if (extract) jobs.onItemsSucceeded((items) => extract.add(items));
  if (!deps.jobs) jobs.start();
  // Calls stored before their extraction was (an upgrade, a migrate-store copy): in the background.
  if (extract) void extract.backfill(jobs.stopping).then((n) => n > 0 && log(`[mofang] dashboard: stored the extraction of ${n} earlier calls`));
  return { jobs, sets, runs, review };
}

/**
 * The live call sessions over the app's published scenarios, models and run log (server.ts makes its own
 * and closes it); `queue` is the JobService's pg-boss (PostgreSQL: final runs are queued in it).
 */
export function createSessions(deps: Pick<AppDeps, 'models' | 'services' | 'published'> & { store: DataStore; queue: PgQueue | undefined }, v1: V1Runtime): SessionManager {
  return new SessionManager({
    store: deps.store,
    queue: deps.queue,
    models: deps.models,
    services: deps.services,
    published: deps.published,
    runLog: v1.runLog,
    deadlineMs: v1.config.runDeadlineMs,
    idleTimeoutMs: v1.config.sessionIdleTimeoutMs,
    maxDurationMs: v1.config.sessionMaxDurationMs,
    leaseMs: v1.config.sessionLeaseMs,
  });
}

/** Builds the app; the caller owns the store, the models and the services (and closes them). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const version = readVersion();
  const kinds = nodeKindSummaries();
  const v1 = deps.v1 ?? createV1Runtime(appStore(deps));
  const { jobs, sets: evalSets, runs: evalRuns, review } = jobsAndRuns(deps, v1);
  const sessions = deps.sessions ?? createSessions({ ...deps, store: appStore(deps), queue: jobs.queue }, v1);
  const authConfig = deps.auth ?? DEFAULT_AUTH_CONFIG;
  // Which proxies' X-Forwarded-For / -Proto are believed: req.ip (sign-in throttling) and req.secure (Secure cookie).
  app.set('trust proxy', authConfig.trustProxy);

  const api = express.Router();
  api.use(express.json({ limit: BODY_LIMIT, strict: false }));
  api.use(jsonBodyLimits());
  // Liveness: load balancers call this without signing in: they get that the process answers, nothing of its
  // set-up. It stays 200 while the server drains (readiness is /api/ready).
  api.get('/health', allow('public'), (_req, res) => {
    if (!requestUser(res)) return void res.json({ ok: true, version });
    // Described per request: admins may change the endpoints while the server runs.
    const model = deps.modelDescription ?? describeModels(deps.models);
    res.json({ ok: true, model, model_info: defaultModelInfo(deps.models), simulator: deps.simulator ?? model === SIMULATOR_HINT, version, endpoints: endpointLoads(deps.models), sandbox: deps.services.sandbox.stats?.(), store: appStore(deps).dialect });
  });
  // Load balancers' other question: may this server take new work (not draining, database answering)? See ready.ts.
  api.get('/ready', allow('public'), readyHandler(deps.drain ?? { draining: false }, deps.readiness ?? storeReadiness(appStore(deps))));
  api.get('/node-kinds', allow('scenarios:read'), (_req, res) => {
    res.json(kinds);
  });
  api.use(authRoutes({ store: appStore(deps), config: authConfig, throttle: new LoginThrottle(authConfig), oidcEnabled: deps.oidc !== undefined }));
  const oidcClient = deps.oidc ? new OidcClient(deps.oidc) : undefined;
  api.use(oidcRoutes({ store: appStore(deps), client: oidcClient, flowKey: newFlowKey(), sessionLifetime: { ttlMs: authConfig.sessionTtlMs, maxMs: authConfig.sessionMaxMs }, publicUrl: v1.config.publicUrl, log: deps.log }));
  api.use(userRoutes(appStore(deps)));
  api.use(scenarioRoutes(deps));
  api.use(runRoutes(deps));
  api.use(runNodeRoutes(deps));
  api.use(keyRoutes(appStore(deps), () => v1.keys.invalidate()));
  api.use(metricsRoutes(appStore(deps)));
  const gates = new PublishGates(evalRuns);
  api.use(publishRoutes(deps, gates));
  api.use(publishGateRoutes(gates, deps.canReadPii));
  api.use(templateRoutes(deps));
  api.use(dashboardRoutes(appStore(deps), deps.published, deps.canReadPii));
  api.use(auditRoutes(appStore(deps)));
  api.use(modelAliasRoutes(deps.models, deps.endpoints));
  if (deps.endpoints) api.use(modelEndpointRoutes(appStore(deps), deps.endpoints));
  api.use(evalSetRoutes(evalSets, jobs.uploads, deps.canReadPii));
  api.use(evalMetricRoutes(appStore(deps), evalRuns.compile));
  api.use(evalRunRoutes(evalRuns, deps.canReadPii));
  api.use(reviewRoutes(review, deps.canReadPii));
  if (deps.alerting) api.use(alertRuleRoutes(deps.alerting, deps));
  api.use(liveRoutes({ store: appStore(deps), sessions, review, readsPii: deps.canReadPii }));
  // Unknown /api paths answer 404 only to a signed-in user: an anonymous probe learns nothing of the routes.
  api.all('/{*rest}', allow('signed_in'), (req, res) => {
    sendError(res, 404, 'not_found', `no route ${req.method} /api${req.path}`);
  });
  api.use(errorHandler);

  // The published API's run operations first: its hot path passes through no other router.
  app.use('/v1', v1RunRoutes(deps, v1));
  // The app's JSON (and CSV, JSONL downloads) compressed; its event streams never (compress.ts).
  app.use('/api', compressReplies());
  // Every /api request: the session cookie's user, and the CSRF check on changes; each route's allow() decides.
  app.use('/api', sessionMiddleware(appStore(deps), { ttlMs: authConfig.sessionTtlMs, maxMs: authConfig.sessionMaxMs }));
  // Job uploads stream (JSONL, CSV) or carry big JSON bodies: mounted before the 5 MB JSON parser.
  app.use('/api', jobAdminRoutes(appStore(deps), deps.published, jobs, deps.canReadPii));
  app.use('/api', api);
  app.use('/v1', openapiRoutes(deps, v1.config)); // public documents: before the key-protected /v1 routes
  app.use('/docs', docsRoutes(deps));
  app.use('/v1', v1JobRoutes(v1, deps.published, jobs));
  app.use('/v1', v1SessionRoutes(v1, sessions));
  app.use('/v1', v1Routes(deps, v1));
  app.use(staticRoutes(deps.staticDir ?? DEFAULT_STATIC_DIR));
  app.use(errorHandler);
  return app;
}
