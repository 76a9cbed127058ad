import { describe, expect, it } from 'vitest';
import { NodeError, type HttpRequester } from '../nodes/kit.js';
import type { JobRow, JobStore } from '../storage/jobs.js';
import { WebhookSender } from './webhook.js';

/** A sender over a requester that always throws `error`, recording attempts as the store would. */
async function attemptsAfter(error: Error): Promise<number> {
  const attempts: number[] = [];
  const store = { webhookAttempts: () => 0, recordWebhookAttempt: (_id: string, n: number) => attempts.push(n) } as unknown as JobStore;
  const http: HttpRequester = { request: async () => Promise.reject(error) };
  const sender = new WebhookSender(http, store, { retries: 3, minTimeoutMs: 1 });
  sender.send({ id: 'job_1', webhookUrl: 'http://10.0.0.1/hook' } as JobRow, { event: 'job.completed' } as never);
  // Every retry waits at most a few ms here; the last attempt is recorded before the send settles.
  const until = Date.now() + 5_000;
  while (Date.now() < until && attempts.length < 4) await new Promise((r) => setTimeout(r, 20));
  await sender.close();
  return attempts.length;
}

describe('the completion webhook', () => {
  it('retries a network error', async () => {
    expect(await attemptsAfter(new NodeError('http_network', 'could not reach 10.0.0.1: ECONNREFUSED', { retryable: true }))).toBe(4);
  });

  it('tries once an address the outbound guard refuses: no retry can change it', async () => {
    expect(await attemptsAfter(new NodeError('http_refused', 'refused to call 10.0.0.1: it is a private address'))).toBe(1);
  });
});
