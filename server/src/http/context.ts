import type { LiveSessions } from '../sessions/ports.js';
import type { ModelResolver } from '../model/types.js';
import type { EngineServices } from '../nodes/kit.js';
import type { DataStore } from '../storage/store.js';
import type { PublishedScenarios } from '../publish/registry.js';
import type { V1Runtime } from './v1/runtime.js';
import type { JobService } from '../jobs/service.js';
import type { AuthConfig } from '../users/auth-config.js';
import type { OidcConfig } from '../users/oidc-config.js';
import type { PiiAccess } from './pii-access.js';
import type { EndpointService } from '../endpoints/service.js';
import type { AlertWebhooks } from '../sessions/alert-webhook.js';
import type { ReadinessCheck } from '../storage/readiness.js';
import type { Drain } from './drain.js';

/** What the HTTP layer needs: the store, the model resolver and the engine's services. */
export interface AppDeps {
  /** The store every repository takes: SQLite or PostgreSQL (`MOFANG_DATABASE_URL`). Read it with {@link appStore}. */
  store: DataStore;
  models: ModelResolver;
  services: EngineServices;
  /** Published scenarios by slug (compiled plans cached per version; the live version read per call). */
  published: PublishedScenarios;
  /** Key cache, rate limiter and run log of the `/v1` API; created by createApp when absent (then never closed). */
  v1?: V1Runtime;
  /** Batch jobs (store, runner, webhooks); created and started by createApp when absent (then never stopped). */
  jobs?: JobService;
  /** The built client (`dist/client`); when it does not exist a page says to run `npm run build`. */
  staticDir?: string;
  /** Whether the model behind `default` is the built-in simulator (shown in /api/health). */
  simulator?: boolean;
  /** Session lifetime and sign-in throttling; defaults when absent. */
  auth?: AuthConfig;
  /** Single sign-on through OpenID Connect; off when absent. */
  oidc?: OidcConfig;
  /** Where the server logs (SSO failures are told there); `console.warn` when absent. */
  log?: (line: string) => void;
  /** Shown in /api/health as `model`; defaults to `describeModels(models)`. */
  modelDescription?: unknown;
  /** Model endpoints as an admin resource (`/api/model-endpoints`); absent, only the resolver's aliases are listed. */
  endpoints?: EndpointService;
  /** Whether a request's user may see customers' personal data unmasked; `canReadPii` (./pii-access.ts) when absent. */
  canReadPii?: PiiAccess;
  /** Live alert rules and their webhook deliveries (`/api/scenarios/:id/alert-rules`); absent, those routes are not mounted. */
  alerting?: AlertWebhooks;
  /** Live call sessions; created by createApp when absent (then never closed). */
  sessions?: LiveSessions;
  /** Whether the server is draining (`/api/ready` answers 503 `draining`); never draining when absent. */
  drain?: Pick<Drain, 'draining'>;
  /** Whether the store can serve (`/api/ready`); the store's own check (`storeReadiness` of storage/readiness.ts) when absent. */
  readiness?: ReadinessCheck;
}

/** The app's {@link DataStore}. */
export function appStore(deps: Pick<AppDeps, 'store'>): DataStore {
  return deps.store;
}
