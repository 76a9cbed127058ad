import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signedHeaders } from './alert-webhook.js';
import { newWebhookSecret } from './alert-settings.js';

describe('alert webhook signing (Standard Webhooks)', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ type: 'session.alert', alert: { name: '客户要求升级投诉' } });
  const at = new Date();
  const headers = signedHeaders(secret, 'del_1', at, body);

  it('sends webhook-id, webhook-timestamp (unix seconds) and a v1 signature a Standard Webhooks verifier accepts', () => {
    expect(headers['webhook-id']).toBe('del_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('is the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed by the secret\'s decoded bytes', () => {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`del_1.${headers['webhook-timestamp']}.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('fails verification for another secret or a changed body', () => {
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('升级', '降级'), headers)).toThrow();
  });
});
