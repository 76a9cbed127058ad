/**
 * Starts the whole server: store (migrated), engine services, model resolver, HTTP listener; and stops
 * it cleanly on SIGINT/SIGTERM: it drains first (see ./drain.ts), then closes everything and exits 0.
 */
import { loggableError } from '../storage/db-errors.js';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import { ConfigError, DEFAULT_DRAIN_TIMEOUT_MS, type AppConfig } from '../config.js';
import { setLimits } from '../limits.js';
import { describeModels } from '../model/registry.js';
import { EndpointService } from '../endpoints/service.js';
import { openSecretBox } from '../endpoints/secret-box.js';
import { createEngineServices } from '../services/index.js';
import { openAppStore } from '../storage/app-store.js';
import { failInterruptedRuns } from '../storage/runs.js';
import { createApp, createSessions } from './app.js';
import { PublishedScenarios } from '../publish/registry.js';
import { createV1Runtime } from './v1/runtime.js';
import { runFastLane } from './v1/fast-run.js';
import { runOperation } from './v1/run-route.js';
import { JobService } from '../jobs/service.js';
import { closeModels } from '../model/close.js';
import { DEFAULT_WEB_CONFIG } from '../common/web-config.js';
import { frontDoor } from './front-door.js';
import { isLoopbackAddress } from './host-check.js';
import { listenRefusal } from './listen-guard.js';
import { countActiveAdmins } from '../users/users.js';
import type { PiiAccess } from './pii-access.js';
import { TranscriptRetention } from '../storage/retention.js';
import { DEFAULT_API_CONFIG } from '../common/api-config.js';
import { createSessionAlerting } from '../sessions/alert-webhook.js';
import { shareModelEndpoints } from '../cluster/model-share.js';
import { Drain, within } from './drain.js';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  /** The Express app behind `server` (tests walk its router to check every route declares its access). */
  app: Express;
  /**
   * Drains (ready answers 503, no new connections, follower streams end, work in flight may finish up to
   * the drain timeout), then ends what is left, closes services and writes the run log, and closes the
   * store. Idempotent.
   */
  close(): Promise<void>;
  /** Requests in flight and whether the server is draining. */
  drain: Drain;
}

export interface StartOptions {
  /** Install SIGINT/SIGTERM handlers that close everything and exit (default true). */
  signals?: boolean;
  /** Where the start-up lines and single sign-on failures go (default console.log). */
  log?: (line: string) => void;
  staticDir?: string;
  /** Overrides who sees customers' personal data unmasked (tests of the masked replies); see ./pii-access.ts. */
  canReadPii?: PiiAccess;
}


/** Opens everything and listens on `config.host:config.port` (0 picks a free port). */
export async function startServer(config: AppConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Process-wide: every boundary (HTTP bodies, job items, node outputs, the run log) checks these.
  if (config.limits) setLimits(config.limits);
  let store: Awaited<ReturnType<typeof openAppStore>>;
  try {
    store = await openAppStore(config);
  } catch (error) {
    if (!config.database) throw error;
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const refusal = listenRefusal(config.host, await countActiveAdmins(store));
  if (refusal) {
    await store.close();
    throw new ConfigError(refusal);
  }
  await failInterruptedRuns(store);
  const services = createEngineServices({ httpAllow: config.httpAllow, sandbox: config.sandbox, templateLimits: config.templates });
  let endpoints: EndpointService;
  let box: ReturnType<typeof openSecretBox>;
  try {
    box = openSecretBox({ secretKey: config.secretKey, dataDir: config.dataDir });
    endpoints = await EndpointService.open(store, box, config.model);
  } catch (error) {
    await store.close();
    throw new ConfigError(`model endpoints: ${error instanceof Error ? error.message : String(error)}`);
  }
  const models = endpoints.models;
  const description = describeModels(models);
  const published = new PublishedScenarios(store, services);
  const v1 = createV1Runtime(store, config.api);
  // Several servers over one PostgreSQL database split each endpoint's max_concurrency (docs/postgres.md).
  v1.instances.onCount((servers) => shareModelEndpoints(models, servers));
  const jobs = new JobService(store, published, models, services, { uploads: config.jobs, runLog: v1.runLog, ...(config.jobLeaseMs !== undefined ? { runner: { leaseMs: config.jobLeaseMs } } : {}) });
  // Live alerts: rules checked after session updates, webhooks signed with secrets sealed by the same box.
  const alerting = createSessionAlerting({ store, http: services.http, box, published, queue: jobs.queue });
  const sessions = createSessions({ store, models, services, published, queue: jobs.queue }, v1);
  sessions.setAlerting(alerting);
  const drain = new Drain();
  const deps = { store, readiness: store.readiness, models, endpoints, services, published, v1, jobs, sessions, alerting, drain, staticDir: options.staticDir, auth: config.auth, oidc: config.oidc, log, canReadPii: options.canReadPii };
  const app = createApp(deps);
  // The run operation's fast lane answers the common /v1 run before Express sees it (see fast-run.ts).
  const lane = runFastLane(runOperation(deps, v1), v1, sessions);
  // Headers, Host check, CORS and cross-site refusals for every request, the lane's included.
  const web = config.web ?? DEFAULT_WEB_CONFIG;
  const door = frontDoor({ listenHost: config.host, web, publicUrl: v1.config.publicUrl });

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = createServer((req, res) => {
        drain.track(req, res);
        if (!door(req, res) && !lane(req, res)) app(req, res);
      });
      s.once('error', reject);
      s.listen(config.port, config.host, () => resolve(s));
    });
  } catch (error) {
    await sessions.close();
    await alerting.close();
    // Alerting and sessions may have started the queue (PostgreSQL); also ends the dashboard's backfill.
    await jobs.stop();
    await Promise.all([services.close(), closeModels(models)]);
    await v1.close();
    await store.close();
    throw error;
  }
  jobs.start();
  const retention = new TranscriptRetention(store, { days: config.transcriptRetentionDays ?? (config.api ?? DEFAULT_API_CONFIG).retentionDays });
  retention.start();
  const address: AddressInfo | string | null = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;

  const drainTimeoutMs = config.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  let closing: Promise<void> | undefined;
  // Once: live-session updates in flight are waited for (within the drain, and after it if it timed out).
  let sessionsClosed: Promise<void> | undefined;
  const closeSessions = () => (sessionsClosed ??= sessions.close());
  const close = () =>
    (closing ??= (async () => {
      // Draining: /api/ready answers 503, the listener takes no new connection (a load balancer's
      // connect fails and it tries another server), follower event streams end so their clients resume
      // elsewhere with Last-Event-ID, and runs, job items and live-session updates in flight may end.
      drain.start();
      // net.Server's close, not http.Server's: http's also drops idle keep-alive connections at once, and
      // an open one is where a load balancer's probe learns "draining" (each reply now asks to close it).
      const listenerClosed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      const settled = await within(
        (async () => {
          await Promise.all([drain.idle(), jobs.drain()]);
          await closeSessions();
        })(),
        drainTimeoutMs,
      );
      if (!settled) log(`Mofang: work still in flight after ${drainTimeoutMs} ms (MOFANG_DRAIN_TIMEOUT_MS): stopping it`);
      // What the timeout left: open responses are cut, job items aborted and left to the next start.
      server.closeAllConnections();
      await listenerClosed;
      // Sessions before the queue: their close waits for their start, which may still be starting pg-boss.
      await closeSessions();
      // PostgreSQL: this server's alert deliveries in flight go back to pg-boss before it stops.
      await alerting.stopWorker();
      await jobs.stop();
      await retention.stop();
      await alerting.close();
      await Promise.all([services.close(), closeModels(models)]);
      // Writes the run log's queued rows (the write-behind) before the store closes.
      await v1.close();
      await store.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal (npm passes Ctrl+C on as well) changes nothing: the drain goes on to its timeout.
    if (closing) return;
    log(`Mofang: ${signal}, draining (up to ${drainTimeoutMs} ms), then shutting down`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Mofang: error while shutting down:', loggableError(error));
        process.exit(1);
      },
    );
  };
  if (options.signals ?? true) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  log(`Mofang on ${url} — model: ${description}`);
  log(`Mofang: store ${store.where}`);
  if (config.oidc) log(`Mofang: single sign-on through ${config.oidc.issuer.href} (client ${config.oidc.clientId})`);
  if (!isLoopbackAddress(config.host) && web.allowedHosts.length === 0 && !v1.config.publicUrl) {
    log('Mofang: other machines may reach this server by IP address; to reach it by a host name, list the name in MOFANG_ALLOWED_HOSTS (or set MOFANG_PUBLIC_URL)');
  }
  return { url, port, server, app, close, drain };
}
