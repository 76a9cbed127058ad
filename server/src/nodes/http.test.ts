import { createServer, type Server } from 'node:http';
import { http as httpDefinition, HttpConfigSchema } from '@shared/nodes/http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeHttp } from '../services/safe-http.js';
import { httpNode } from './http.js';
import { NodeError, type HttpRequester } from './kit.js';
import { fakeCompileContext, fakeExecContext, withServices } from './test-kit.js';

type Sent = Parameters<HttpRequester['request']>[0];

/** A requester that records what it is asked and answers from a script. */
function scripted(answer: { status: number; body: string; headers?: Record<string, string> }): HttpRequester & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    async request(req) {
      sent.push(req);
      return { status: answer.status, headers: answer.headers ?? {}, body: answer.body };
    },
  };
}

/** Compiles a config as the engine would: parsed (old shapes migrated), every template field compiled. */
function compile(raw: Record<string, unknown> & { url: string }, http: HttpRequester) {
  const config = HttpConfigSchema.parse(raw);
  const templates: Record<string, { source: string; mode: 'text' | 'value' }> = {};
  for (const field of httpDefinition.templates(config)) templates[field.field] = { source: field.source, mode: field.mode };
  return withServices(httpNode.compile(config, fakeCompileContext(templates)), { http });
}

async function failure(promise: Promise<unknown> | unknown): Promise<NodeError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof NodeError)) throw new Error(`expected a NodeError, got ${String(error)}`);
  return error;
}

const scope = { start: { phone: '13800000000', token: 's3cret' } };

describe('http node', () => {
  it('renders url, headers and body (an old template body read as JSON fields), sends JSON and parses the JSON answer', async () => {
    const http = scripted({ status: 201, body: '{"order":"WO-1"}', headers: { 'content-type': 'application/json' } });
    const step = compile(
      {
        method: 'POST',
        url: 'https://crm.example.com/orders?phone={{ start.phone }}',
        headers: [{ name: 'Authorization', value: 'Bearer {{ start.token }}' }],
        body: '{"phone": "{{ start.phone }}"}',
        timeoutMs: 3000,
        retries: 2,
      },
      http,
    );
    expect(step.timeoutMs).toBe(3000);
    expect(step.retries).toBe(2);
    const result = await step.run(fakeExecContext(scope));
    expect(result.outputs).toEqual({ status: 201, headers: { 'content-type': 'application/json' }, body: { order: 'WO-1' } });
    expect(http.sent).toHaveLength(1);
    expect(http.sent[0]).toMatchObject({
      method: 'POST',
      url: 'https://crm.example.com/orders?phone=13800000000',
      headers: { Authorization: 'Bearer s3cret', 'Content-Type': 'application/json' },
      body: '{"phone":"13800000000"}',
      timeoutMs: 3000,
    });
    expect(result.inputs).toMatchObject({ headers: { Authorization: '***' } });
  });

  it('keeps a content type the designer set, and sends no body when there is none', async () => {
    const http = scripted({ status: 200, body: 'ok' });
    await compile({ method: 'PUT', url: 'https://x.example/', headers: [{ name: 'content-type', value: 'text/plain' }], body: '{"a":1}', responseType: 'text' }, http).run(fakeExecContext({}));
    expect(http.sent[0].headers).toEqual({ 'content-type': 'text/plain' });
    await compile({ url: 'https://x.example/', responseType: 'text' }, http).run(fakeExecContext({}));
    expect(http.sent[1].body).toBeUndefined();
    expect(http.sent[1].headers).toEqual({});
  });

  it('fails on a bad status with a body excerpt, retryable for 5xx and 429 only', async () => {
    const server = await failure(compile({ url: 'https://x.example/' }, scripted({ status: 503, body: 'upstream down', headers: { 'retry-after': '2' } })).run(fakeExecContext({})));
    expect(server).toMatchObject({ code: 'http_status', retryable: true, retryAfterMs: 2000 });
    expect(server.message).toContain('upstream down');
    const busy = await failure(compile({ url: 'https://x.example/' }, scripted({ status: 429, body: '' })).run(fakeExecContext({})));
    expect(busy.retryable).toBe(true);
    const missing = await failure(compile({ url: 'https://x.example/' }, scripted({ status: 404, body: 'no such order' })).run(fakeExecContext({})));
    expect(missing).toMatchObject({ code: 'http_status', retryable: false });
  });

  it('passes a bad status on when failOnStatus is off', async () => {
    const result = await compile({ url: 'https://x.example/', failOnStatus: false, responseType: 'text' }, scripted({ status: 500, body: 'oops' })).run(fakeExecContext({}));
    expect(result.outputs).toEqual({ status: 500, headers: {}, body: 'oops' });
  });

  it('reports a response that is not JSON', async () => {
    const error = await failure(compile({ url: 'https://x.example/' }, scripted({ status: 200, body: '<html>hi</html>' })).run(fakeExecContext({})));
    expect(error.code).toBe('http_bad_json');
    expect(error.message).toContain('<html>');
  });

});

describe('http node with the guarded requester', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ got: JSON.parse(body || 'null'), type: req.headers['content-type'] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('is refused on loopback by default', async () => {
    const http = createSafeHttp();
    const error = await failure(compile({ url: `http://127.0.0.1:${port}/` }, http).run(fakeExecContext({})));
    expect(error.code).toBe('http_refused');
    await http.close();
  });

  it('calls a loopback server the allow-list names', async () => {
    const http = createSafeHttp({ allow: ['127.0.0.1/32'] });
    const step = compile({ method: 'POST', url: `http://127.0.0.1:${port}/orders`, body: '{"phone": "{{ start.phone }}"}' }, http);
    const result = await step.run(fakeExecContext(scope));
    expect(result.outputs).toMatchObject({ status: 200, body: { got: { phone: '13800000000' }, type: 'application/json' } });
    await http.close();
  });
});
