/**
 * Alerting of live call sessions ({@link SessionAlerting}): the rules of each scenario (cached, forgotten
 * when a PUT changes them) checked after every update, and each alert POSTed to the scenario's webhook
 * as an {@link AlertWebhookPayload}, signed per Standard Webhooks through the SSRF-guarded requester
 * (./alert-attempt.ts), retried with exponential backoff. Every delivery is a row of `alert_deliveries`
 * with its attempts, the record the settings page lists. How it is sent ({@link AlertSender}):
 * - SQLite: in-process timers, each attempt claimed by one conditional update (./alert-timers.ts);
 *   deliveries still pending when the server stops resume at the next start.
 * - PostgreSQL: one pg-boss job per delivery on the JobService's queue (./alert-queue.ts), attempted by
 *   whichever server's worker fetches it and retried by pg-boss; deliveries pending at start with no job
 *   (made before the queue, copied in by `mofang migrate-store`) are queued then, once however many
 *   servers start.
 */
import { AlertWebhookPayloadSchema, type AlertDelivery, type AlertWebhookPayload, type SessionAlert } from '@shared/alerts.js';
import { newId } from '../common/ids.js';
import type { HttpRequester } from '../nodes/kit.js';
import type { PublishedScenarios } from '../publish/registry.js';
import { loggableError } from '../storage/db-errors.js';
import type { DataStore } from '../storage/store.js';
import { insertAlertDelivery, recentAlertDeliveries, type AlertDeliveryRow } from '../storage/alert-settings.js';
import type { AlertSender, AlertWebhookOptions } from './alert-attempt.js';
import type { PgQueue } from '../storage/pg-queue.js';
import { QueuedAlertSender } from './alert-queue.js';
import { matchAlertRules } from './alert-rules.js';
import { AlertSettingsService, type AlertConfig, type SecretSealer } from './alert-settings.js';
import { TimedAlertSender } from './alert-timers.js';
import type { AlertCheck, SessionAlerting, SessionView } from './ports.js';

export { signedHeaders, type AlertWebhookOptions } from './alert-attempt.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A delivery row as the settings page lists it. */
function deliveryView(row: AlertDeliveryRow): AlertDelivery {
  const payload = AlertWebhookPayloadSchema.safeParse(row.payload);
  const alert = payload.success ? payload.data.alert : null;
  return {
    id: row.id,
    session_id: row.sessionId,
    alert_id: row.alertId,
    rule_id: alert?.rule_id ?? null,
    alert_name: alert?.name ?? null,
    severity: alert?.severity ?? null,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    last_status: row.lastStatus,
    last_error: row.lastError,
    next_attempt_at: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    created_at: iso(row.createdAt) ?? '',
    delivered_at: iso(row.deliveredAt),
  };
}

/** Alert rules and their webhook for one server. */
export class AlertWebhooks implements SessionAlerting {
  /** Set by close: nothing more starts. */
  closed = false;
  private readonly sender: AlertSender;
  private readonly recording = new Set<Promise<unknown>>();
  private readonly now: () => number;

  /** `queue`: the JobService's pg-boss queue, required on PostgreSQL (throws without it), unused on SQLite. */
  constructor(
    readonly settings: AlertSettingsService,
    http: HttpRequester,
    options: AlertWebhookOptions = {},
    queue?: PgQueue,
  ) {
    this.now = options.now ?? Date.now;
    if (settings.store.dialect === 'postgres') {
      if (!queue) throw new Error('alert webhooks on PostgreSQL need the job queue');
      this.sender = new QueuedAlertSender(queue, settings, http, options);
    } else {
      this.sender = new TimedAlertSender(settings, http, options);
    }
  }

  private get store(): DataStore {
    return this.settings.store;
  }

  /** The alerts an update raises: at once when the scenario's settings are cached, else once they are read. Never rejects. */
  check(input: AlertCheck): SessionAlert[] | Promise<SessionAlert[]> {
    const match = (config: AlertConfig): SessionAlert[] => {
      try {
        return config.rules.length === 0 ? [] : matchAlertRules(config.rules, input);
      } catch {
        return [];
      }
    };
    const config = this.settings.config(input.scenarioId);
    return config instanceof Promise ? config.then(match, () => []) : match(config);
  }

  /** The board's risk output of a scenario (null: none, or its settings cannot be read). */
  riskOutput(scenarioId: string): string | null | Promise<string | null> {
    const config = this.settings.config(scenarioId);
    return config instanceof Promise ? config.then((c) => c.riskOutput, () => null) : config.riskOutput;
  }

  /** Records the delivery and starts sending it, in the background. Never throws: a delivery that cannot be recorded (its scenario just deleted) is dropped. */
  deliver(session: SessionView, alert: SessionAlert, outputs: Record<string, unknown>): void {
    if (this.closed) return;
    const payload: AlertWebhookPayload = { type: 'session.alert', scenario: session.slug, version: session.version, session_id: session.id, call_id: session.callId, alert, outputs };
    const record = async () => {
      const { webhookUrl: url } = await this.settings.config(session.scenarioId);
      if (url === null) return;
      const id = newId();
      const at = this.now();
      await insertAlertDelivery(this.store, { id, scenarioId: session.scenarioId, sessionId: session.id, alertId: alert.id, url, payload, nextAttemptAt: at, createdAt: at });
      await this.sender.send(id, at);
    };
    const task = record().catch(() => undefined);
    this.recording.add(task);
    void task.finally(() => this.recording.delete(task));
  }

  /**
   * Starts sending (on PostgreSQL: starts the queue if the JobService has not yet, and this server's
   * worker) and takes up the deliveries left pending. Resolves with how many were pending.
   */
  start(): Promise<number> {
    return this.sender.start();
  }

  /**
   * PostgreSQL: stops this server's delivery worker (attempts in flight aborted, their jobs back in
   * pg-boss, due at once); alerts raised after it are still recorded and queued. Call it before the queue
   * stops (the JobService's `stop`). SQLite: nothing.
   */
  async stopWorker(): Promise<void> {
    await this.sender.stopWorker?.();
  }

  /** A scenario's deliveries, newest first (at most `limit`). */
  async deliveries(scenarioId: string, limit = 20): Promise<AlertDelivery[]> {
    return (await recentAlertDeliveries(this.store, scenarioId, limit)).map(deliveryView);
  }

  /**
   * Stops sending: attempts waiting or in flight are left pending (SQLite: resumed at the next start;
   * PostgreSQL: their jobs stay in pg-boss, due at once, for another server or the next start; a delivery
   * that could not be queued, as the queue had stopped, is queued at the next start).
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.recording]);
    await this.sender.close();
  }
}

/** What {@link createSessionAlerting} needs: the store, the SSRF-guarded requester, the secret box, the published scenarios. */
export interface SessionAlertingDeps {
  store: DataStore;
  http: HttpRequester;
  /** The server's secret box (server/src/endpoints/secret-box.ts). */
  box: SecretSealer;
  published: PublishedScenarios;
  /** The JobService's pg-boss queue (`jobs.queue`): required on PostgreSQL. */
  queue?: PgQueue;
  options?: AlertWebhookOptions;
}

/**
 * The server's alerting, started (in the background: {@link AlertWebhooks.start}) over the deliveries an
 * earlier run left pending; `ready` resolves with how many there were (never rejects: a failed start is
 * logged, and the deliveries are taken up by the next start). Call `close()` at shutdown. Throws on
 * PostgreSQL without `queue`.
 */
/** Wait before a failed start of alerting is tried again, ms. */
const RESTART_MS = 5_000;

export function createSessionAlerting(deps: SessionAlertingDeps): AlertWebhooks & { ready: Promise<number> } {
  const settings = new AlertSettingsService(deps.store, deps.box, deps.published, deps.options?.now);
  const alerting = new AlertWebhooks(settings, deps.http, deps.options, deps.queue);
  // A start that fails (the database unreachable for a moment) is tried again every RESTART_MS until it
  // works or alerting closes; `ready` settles with the first try.
  const attempt = (): Promise<number> =>
    alerting.start().catch((error: unknown) => {
      console.error(`[mofang] alert deliveries did not start (trying again in ${RESTART_MS / 1000} s):`, loggableError(error));
      const timer = setTimeout(() => void (alerting.closed ? undefined : attempt()), RESTART_MS);
      timer.unref();
      return 0;
    });
  return Object.assign(alerting, { ready: attempt() });
}
