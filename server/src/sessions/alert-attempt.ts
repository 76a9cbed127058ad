/**
 * One attempt of an alert webhook delivery, the same on both stores: the row's payload POSTed to its URL,
 * signed per Standard Webhooks (`webhook-id` = the delivery id, `webhook-timestamp` = unix seconds,
 * `webhook-signature` = `v1,<base64 HMAC-SHA256>` by the `standardwebhooks` package) with the scenario's
 * secret, through the SSRF-guarded requester. What is done with the result (recorded, retried) is the
 * sender's ({@link AlertSender}): in-process timers on SQLite (./alert-timers.ts), pg-boss on PostgreSQL (./alert-queue.ts).
 */
import { Webhook } from 'standardwebhooks';
import { isRetryableRequestError, type HttpRequester } from '../nodes/kit.js';
import type { AlertDeliveryRow } from '../storage/alert-settings.js';
import type { AlertSettingsService } from './alert-settings.js';

export interface AlertWebhookOptions {
  /** Attempts in all before a delivery is given up (default 8: about two minutes). */
  attempts?: number;
  /**
   * Wait after the first failed attempt, ms (default 1000), doubled after each. On PostgreSQL pg-boss
   * waits: this in whole seconds (at least 1) × 2^(n-1), plus up to as much again of jitter.
   */
  minTimeoutMs?: number;
  /** Longest wait between attempts, ms (default 60 000). */
  maxTimeoutMs?: number;
  /** How long one attempt waits for the reply, ms (default 10 000). SQLite: a claimed attempt is held for this plus 30 s; PostgreSQL: the pg-boss job's expiry is this plus 30 s. */
  timeoutMs?: number;
  /** PostgreSQL: how often the worker looks for due deliveries when nothing woke it, ms (default 2000). */
  pollMs?: number;
  /** PostgreSQL: the pg-boss queue (default `mofang-alert-webhooks`; a test may give its own). */
  queueName?: string;
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

/** What one attempt came to. */
export type AlertAttemptResult =
  | { outcome: 'delivered'; status: number }
  /** `retry`: another attempt may succeed (a network error, a non-2xx reply); false: no retry can change it. */
  | { outcome: 'failed'; status: number | null; error: string; retry: boolean }
  /** Not made: the sender is stopping (`signal` aborted). */
  | { outcome: 'aborted' };

/** Makes one attempt of the delivery `row`. Never rejects. */
export async function makeAlertAttempt(
  settings: AlertSettingsService,
  http: HttpRequester,
  row: AlertDeliveryRow,
  options: { timeoutMs: number; now: () => number; signal: AbortSignal },
): Promise<AlertAttemptResult> {
  let secret: string | null;
  try {
    secret = await settings.secret(row.scenarioId);
  } catch (error) {
    return { outcome: 'failed', status: null, error: error instanceof Error ? error.message : String(error), retry: false };
  }
  if (secret === null) return { outcome: 'failed', status: null, error: 'the scenario has no signing secret', retry: false };
  const body = JSON.stringify(row.payload);
  let status: number;
  try {
    const response = await http.request({ method: 'POST', url: row.url, headers: signedHeaders(secret, row.id, new Date(options.now()), body), body, timeoutMs: options.timeoutMs, signal: options.signal });
    status = response.status;
  } catch (error) {
    if (options.signal.aborted) return { outcome: 'aborted' };
    // A refusal no retry can change (an address MOFANG_HTTP_ALLOW does not list, a URL that is not http(s)) fails it now.
    return { outcome: 'failed', status: null, error: error instanceof Error ? error.message : String(error), retry: isRetryableRequestError(error) };
  }
  if (status < 200 || status >= 300) return { outcome: 'failed', status, error: `HTTP ${status}`, retry: true };
  return { outcome: 'delivered', status };
}

/** How recorded deliveries are sent: {@link TimedAlertSender} (./alert-timers.ts) or {@link QueuedAlertSender} (./alert-queue.ts). */
export interface AlertSender {
  /** Sends the delivery just recorded as `id`, due at `at` (epoch ms). Never rejects. */
  send(id: string, at: number): Promise<void>;
  /** Starts sending, taking up the deliveries left pending; resolves with how many were pending. */
  start(): Promise<number>;
  /** Stops: attempts waiting or in flight are left pending (taken up at the next start, or on PostgreSQL by another server). */
  close(): Promise<void>;
  /** PostgreSQL: stops this server's worker only (before the queue stops); `send` still queues. */
  stopWorker?(): Promise<void>;
}
