/**
 * Alerting of live call sessions ({@link SessionAlerting}): the rules of each scenario (cached, forgotten
 * when a PUT changes them) checked after every update, and each alert POSTed to the scenario's webhook
 * as an {@link AlertWebhookPayload}, signed per Standard Webhooks (`webhook-id` = the delivery id,
 * `webhook-timestamp` = unix seconds, `webhook-signature` = `v1,<base64 HMAC-SHA256>` by the
 * `standardwebhooks` package), through the SSRF-guarded requester, retried with exponential backoff
 * (the n-th wait `minTimeoutMs`·2^(n-1), at most `maxTimeoutMs`). Every delivery is a row of
 * `alert_deliveries` with its attempts; each attempt is claimed by one conditional update
 * (storage/alert-settings.ts), so servers over one PostgreSQL database send each attempt once. Deliveries
 * still pending when a server stops resume at the next start; on PostgreSQL every server also takes up,
 * every `pollMs`, attempts that came due and no server made (their server stopped or died).
 */
import { Webhook } from 'standardwebhooks';
import { AlertWebhookPayloadSchema, type AlertDelivery, type AlertWebhookPayload, type SessionAlert } from '@shared/alerts.js';
import { newId } from '../common/ids.js';
import { isRetryableRequestError, type HttpRequester } from '../nodes/kit.js';
import type { PublishedScenarios } from '../publish/registry.js';
import type { DataStore } from '../storage/store.js';
import { claimAlertAttempt, insertAlertDelivery, pendingAlertDeliveries, recentAlertDeliveries, recordAlertAttempt, releaseAlertAttempt, type AlertDeliveryRow } from '../storage/alert-settings.js';
import { matchAlertRules } from './alert-rules.js';
import { AlertSettingsService, type AlertConfig, type SecretSealer } from './alert-settings.js';
import type { AlertCheck, SessionAlerting, SessionView } from './ports.js';

export interface AlertWebhookOptions {
  /** Attempts in all before a delivery is given up (default 8: about two minutes). */
  attempts?: number;
  /** Wait after the first failed attempt, ms (default 1000), doubled after each. */
  minTimeoutMs?: number;
  /** Longest wait between attempts, ms (default 60 000). */
  maxTimeoutMs?: number;
  /** How long one attempt waits for the reply, ms (default 10 000). A claimed attempt is held for this plus 30 s. */
  timeoutMs?: number;
  /** PostgreSQL: how often a server looks for attempts that came due and nobody made, ms (default 15 000). */
  pollMs?: number;
  now?: () => number;
}

/** The headers of one signed delivery attempt. */
export function signedHeaders(secret: string, deliveryId: string, at: Date, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'mofang-alerts',
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(deliveryId, at, body),
  };
}

/** How much longer than the request's timeout a claimed attempt is held before another server may take it. */
const LEASE_MARGIN_MS = 30_000;
/** Attempts due longer than this ago are taken up by the poll (younger ones are left to the server that waits for them). */
const POLL_GRACE_MS = 1000;

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
  private readonly controller = new AbortController();
  /** Deliveries this server waits for or sends, with the timer of a waiting one. */
  private readonly active = new Map<string, NodeJS.Timeout | null>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private poller: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    readonly settings: AlertSettingsService,
    private readonly http: HttpRequester,
    private readonly options: AlertWebhookOptions = {},
  ) {
    this.now = options.now ?? Date.now;
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
    if (this.controller.signal.aborted) return;
    const payload: AlertWebhookPayload = { type: 'session.alert', scenario: session.slug, version: session.version, session_id: session.id, call_id: session.callId, alert, outputs };
    const record = async () => {
      const { webhookUrl: url } = await this.settings.config(session.scenarioId);
      if (url === null) return;
      const id = newId();
      const at = this.now();
      await insertAlertDelivery(this.store, { id, scenarioId: session.scenarioId, sessionId: session.id, alertId: alert.id, url, payload, nextAttemptAt: at, createdAt: at });
      this.schedule(id, at);
    };
    this.track(record().catch(() => undefined));
  }

  /**
   * Schedules every delivery left pending by an earlier run of a server, each at its next attempt time
   * (an attempt another server holds is left to it when the time comes); on PostgreSQL also starts the
   * poll. Resolves with how many were pending.
   */
  async resume(): Promise<number> {
    const rows = await pendingAlertDeliveries(this.store);
    for (const row of rows) this.schedule(row.id, row.nextAttemptAt ?? this.now());
    if (this.store.dialect === 'postgres' && !this.poller && !this.controller.signal.aborted) {
      this.poller = setInterval(() => this.track(this.poll().catch(() => undefined)), this.options.pollMs ?? 15_000);
      this.poller.unref();
    }
    return rows.length;
  }

  /** Takes up attempts that came due a while ago and that no server made. */
  private async poll(): Promise<void> {
    for (const row of await pendingAlertDeliveries(this.store, this.now() - POLL_GRACE_MS, 200)) this.schedule(row.id, row.nextAttemptAt ?? this.now());
  }

  /** A scenario's deliveries, newest first (at most `limit`). */
  async deliveries(scenarioId: string, limit = 20): Promise<AlertDelivery[]> {
    return (await recentAlertDeliveries(this.store, scenarioId, limit)).map(deliveryView);
  }

  /** Stops waiting attempts and waits for those in flight; pending deliveries resume at the next start (or, on PostgreSQL, on another server). */
  async close(): Promise<void> {
    this.controller.abort();
    clearInterval(this.poller);
    for (const timer of this.active.values()) if (timer) clearTimeout(timer);
    this.active.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(task: Promise<unknown>): void {
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Makes the attempt due at `at` (epoch ms) then, unless this server already waits for or sends the delivery. */
  private schedule(id: string, at: number): void {
    if (this.active.has(id) || this.controller.signal.aborted) return;
    const start = () => {
      this.active.set(id, null);
      this.track(
        this.attempt(id, at)
          .catch(() => null)
          .then((next) => {
            this.active.delete(id);
            if (next !== null) this.schedule(id, next);
          }),
      );
    };
    const wait = Math.max(0, at - this.now());
    if (wait === 0) return start();
    const timer = setTimeout(start, wait);
    timer.unref();
    this.active.set(id, timer);
  }

  /**
   * Claims and makes the attempt of a delivery that was due at `due`, recording it on the row. Resolves with
   * when the next attempt is due, or null (delivered, given up, or the attempt was not this server's to make).
   */
  private async attempt(id: string, due: number): Promise<number | null> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    // Due at the later of now and the time this server read: a timer that fires a little early still claims
    // the attempt it waited for, and never one another server moved on since.
    const claimAt = Math.max(this.now(), due);
    const leaseUntil = claimAt + timeoutMs + LEASE_MARGIN_MS;
    const row = await claimAlertAttempt(this.store, id, claimAt, leaseUntil);
    if (!row) return null;
    const total = this.options.attempts ?? 8;
    const done = row.attempts;
    const record = async (attempts: number, status: number | null, error: string | null, outcome: 'delivered' | 'pending' | 'failed', nextAttemptAt: number | null) => {
      const kept = await recordAlertAttempt(this.store, id, done, { attempts, status, error, outcome, nextAttemptAt, at: this.now() });
      return kept && outcome === 'pending' ? nextAttemptAt : null;
    };
    if (done >= total) return record(done, row.lastStatus, row.lastError, 'failed', null);
    const attempt = done + 1;
    const wait = Math.min((this.options.minTimeoutMs ?? 1000) * 2 ** (attempt - 1), this.options.maxTimeoutMs ?? 60_000);
    const failed = (status: number | null, error: string) => (attempt < total ? record(attempt, status, error, 'pending', this.now() + wait) : record(attempt, status, error, 'failed', null));
    let secret: string | null;
    try {
      secret = await this.settings.secret(row.scenarioId);
    } catch (error) {
      return record(attempt, null, error instanceof Error ? error.message : String(error), 'failed', null);
    }
    if (secret === null) return record(attempt, null, 'the scenario has no signing secret', 'failed', null);
    const body = JSON.stringify(row.payload);
    let status: number;
    try {
      const response = await this.http.request({ method: 'POST', url: row.url, headers: signedHeaders(secret, id, new Date(this.now()), body), body, timeoutMs, signal: this.controller.signal });
      status = response.status;
    } catch (error) {
      if (this.controller.signal.aborted) {
        // Not made: due again now, for the next server that starts (or polls).
        await releaseAlertAttempt(this.store, id, done, leaseUntil, this.now());
        return null;
      }
      const message = error instanceof Error ? error.message : String(error);
      // A refusal no retry can change (an address MOFANG_HTTP_ALLOW does not list, a URL that is not http(s)) fails it now.
      if (!isRetryableRequestError(error)) return record(attempt, null, message, 'failed', null);
      return failed(null, message);
    }
    if (status < 200 || status >= 300) return failed(status, `HTTP ${status}`);
    return record(attempt, status, null, 'delivered', null);
  }
}

/** What {@link createSessionAlerting} needs: the store, the SSRF-guarded requester, the secret box, the published scenarios. */
export interface SessionAlertingDeps {
  store: DataStore;
  http: HttpRequester;
  /** The server's secret box (server/src/endpoints/secret-box.ts). */
  box: SecretSealer;
  published: PublishedScenarios;
  options?: AlertWebhookOptions;
}

/**
 * The server's alerting, resuming (in the background) the deliveries an earlier run left pending; `ready`
 * resolves with how many there were (never rejects: a failed read is retried by the next start or poll).
 * Call `close()` at shutdown.
 */
export function createSessionAlerting(deps: SessionAlertingDeps): AlertWebhooks & { ready: Promise<number> } {
  const settings = new AlertSettingsService(deps.store, deps.box, deps.published, deps.options?.now);
  const alerting = new AlertWebhooks(settings, deps.http, deps.options);
  return Object.assign(alerting, { ready: alerting.resume().catch(() => 0) });
}
