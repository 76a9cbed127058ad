/**
 * Alerting of live call sessions ({@link SessionAlerting}): the rules of each scenario (cached, forgotten
 * when a PUT changes them) checked after every update, and each alert POSTed to the scenario's webhook
 * as an {@link AlertWebhookPayload}, signed per Standard Webhooks (`webhook-id` = the delivery id,
 * `webhook-timestamp` = unix seconds, `webhook-signature` = `v1,<base64 HMAC-SHA256>` by the
 * `standardwebhooks` package), through the SSRF-guarded requester, retried with exponential backoff
 * (p-retry). Every delivery is a row of `alert_deliveries` with its attempts; deliveries still pending
 * when the server stops resume at the next start.
 */
import pRetry, { AbortError } from 'p-retry';
import { Webhook } from 'standardwebhooks';
import { AlertWebhookPayloadSchema, type AlertDelivery, type AlertWebhookPayload, type SessionAlert } from '@shared/alerts.js';
import { newId } from '../common/ids.js';
import { isRetryableRequestError, type HttpRequester } from '../nodes/kit.js';
import type { PublishedScenarios } from '../publish/registry.js';
import type { Db } from '../storage/db.js';
import { getAlertDelivery, insertAlertDelivery, pendingAlertDeliveries, recentAlertDeliveries, recordAlertAttempt, type AlertDeliveryRow } from '../storage/alert-settings.js';
import { matchAlertRules } from './alert-rules.js';
import { AlertSettingsService, type SecretSealer } from './alert-settings.js';
import type { AlertCheck, SessionAlerting, SessionView } from './ports.js';

export interface AlertWebhookOptions {
  /** Attempts in all before a delivery is given up (default 8: about two minutes). */
  attempts?: number;
  /** Wait after the first failed attempt, ms (default 1000), doubled after each. */
  minTimeoutMs?: number;
  /** Longest wait between attempts, ms (default 60 000). */
  maxTimeoutMs?: number;
  /** How long one attempt waits for the reply, ms (default 10 000). */
  timeoutMs?: number;
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

class AttemptFailed extends Error {}

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
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(
    readonly settings: AlertSettingsService,
    private readonly http: HttpRequester,
    private readonly options: AlertWebhookOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  private get db(): Db {
    return this.settings.db;
  }

  check(input: AlertCheck): SessionAlert[] {
    try {
      const { rules } = this.settings.config(input.scenarioId);
      return rules.length === 0 ? [] : matchAlertRules(rules, input);
    } catch {
      return [];
    }
  }

  riskOutput(scenarioId: string): string | null {
    try {
      return this.settings.config(scenarioId).riskOutput;
    } catch {
      return null;
    }
  }

  /** Records the delivery and starts sending it. Never throws: a delivery that cannot be recorded (its scenario just deleted) is dropped. */
  deliver(session: SessionView, alert: SessionAlert, outputs: Record<string, unknown>): void {
    if (this.controller.signal.aborted) return;
    const payload: AlertWebhookPayload = { type: 'session.alert', scenario: session.slug, version: session.version, session_id: session.id, call_id: session.callId, alert, outputs };
    const id = newId();
    const at = this.now();
    try {
      const url = this.settings.config(session.scenarioId).webhookUrl;
      if (url === null) return;
      insertAlertDelivery(this.db, { id, scenarioId: session.scenarioId, sessionId: session.id, alertId: alert.id, url, payload, nextAttemptAt: at, createdAt: at });
    } catch {
      return;
    }
    this.schedule(id, at);
  }

  /** Starts every delivery left pending by an earlier run of the server, each at its next attempt time. */
  resume(): number {
    const rows = pendingAlertDeliveries(this.db);
    for (const row of rows) this.schedule(row.id, row.nextAttemptAt ?? this.now());
    return rows.length;
  }

  /** A scenario's deliveries, newest first (at most `limit`). */
  deliveries(scenarioId: string, limit = 20): AlertDelivery[] {
    return recentAlertDeliveries(this.db, scenarioId, limit).map(deliveryView);
  }

  /** Stops waiting attempts and waits for those in flight; pending deliveries resume at the next start. */
  async close(): Promise<void> {
    this.controller.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(id: string, at: number): void {
    const start = () => {
      const task = this.send(id).finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
    };
    const wait = Math.max(0, at - this.now());
    if (wait === 0) return start();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      start();
    }, wait);
    timer.unref();
    this.timers.add(timer);
  }

  /** Sends one delivery with its remaining attempts; every attempt is recorded on its row. */
  private async send(id: string): Promise<void> {
    const row = getAlertDelivery(this.db, id);
    if (!row || row.status !== 'pending' || this.controller.signal.aborted) return;
    const total = this.options.attempts ?? 8;
    const done = row.attempts;
    const record = (attempts: number, status: number | null, error: string | null, outcome: 'delivered' | 'pending' | 'failed', nextAttemptAt: number | null) =>
      recordAlertAttempt(this.db, id, { attempts, status, error, outcome, nextAttemptAt, at: this.now() });
    if (done >= total) return record(done, row.lastStatus, row.lastError, 'failed', null);
    const body = JSON.stringify(row.payload);
    // Waits go on from where an earlier run of the server left them: the first wait here is the (done+1)-th.
    const maxTimeout = this.options.maxTimeoutMs ?? 60_000;
    const minTimeout = Math.min((this.options.minTimeoutMs ?? 1000) * 2 ** done, maxTimeout);
    const retries = total - done - 1;
    let local = 0;
    await pRetry(
      async () => {
        local += 1;
        const attempt = done + local;
        const next = local <= retries ? this.now() + Math.min(minTimeout * 2 ** (local - 1), maxTimeout) : null;
        const failed = (status: number | null, error: string) => {
          record(attempt, status, error, next === null ? 'failed' : 'pending', next);
          return new AttemptFailed(error);
        };
        let secret: string | null;
        try {
          secret = this.settings.secret(row.scenarioId);
        } catch (error) {
          record(attempt, null, error instanceof Error ? error.message : String(error), 'failed', null);
          throw new AbortError('the signing secret cannot be opened');
        }
        if (secret === null) {
          record(attempt, null, 'the scenario has no signing secret', 'failed', null);
          throw new AbortError('no signing secret');
        }
        let status: number;
        try {
          const response = await this.http.request({ method: 'POST', url: row.url, headers: signedHeaders(secret, id, new Date(this.now()), body), body, timeoutMs: this.options.timeoutMs ?? 10_000, signal: this.controller.signal });
          status = response.status;
        } catch (error) {
          if (this.controller.signal.aborted) throw new AbortError('server stopping');
          const message = error instanceof Error ? error.message : String(error);
          // A refusal no retry can change (an address MOFANG_HTTP_ALLOW does not list, a URL that is not http(s)) fails it now.
          if (!isRetryableRequestError(error)) {
            record(attempt, null, message, 'failed', null);
            throw new AbortError(message);
          }
          throw failed(null, message);
        }
        if (status < 200 || status >= 300) throw failed(status, `HTTP ${status}`);
        record(attempt, status, null, 'delivered', null);
      },
      { retries, factor: 2, minTimeout, maxTimeout, randomize: false, signal: this.controller.signal, unref: true },
    ).catch(() => {
      // Every attempt is on the delivery's row; a webhook that never answers does not touch the session.
    });
  }
}

/** What {@link createSessionAlerting} needs: the store, the SSRF-guarded requester, the secret box, the published scenarios. */
export interface SessionAlertingDeps {
  db: Db;
  http: HttpRequester;
  /** The server's secret box (server/src/endpoints/secret-box.ts). */
  box: SecretSealer;
  published: PublishedScenarios;
  options?: AlertWebhookOptions;
}

/** The server's alerting, with the deliveries an earlier run left pending resumed. Call `close()` at shutdown. */
export function createSessionAlerting(deps: SessionAlertingDeps): AlertWebhooks {
  const settings = new AlertSettingsService(deps.db, deps.box, deps.published, deps.options?.now);
  const alerting = new AlertWebhooks(settings, deps.http, deps.options);
  alerting.resume();
  return alerting;
}
