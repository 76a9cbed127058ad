import { http as httpDefinition, HttpConfigSchema } from '@shared/nodes/http.js';
import { describe, expect, it } from 'vitest';
import { httpNode } from './http.js';
import { buildUrl, fieldValue, headerValue, rawBody } from './http-request.js';
import { NodeError, type HttpRequester } from './kit.js';
import { fakeCompileContext, fakeExecContext, withServices } from './test-kit.js';

type Sent = Parameters<HttpRequester['request']>[0];

function recorder(): HttpRequester & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    async request(req) {
      sent.push(req);
      return { status: 200, headers: {}, body: '{}' };
    },
  };
}

function compile(raw: Record<string, unknown> & { url: string }, http: HttpRequester) {
  const config = HttpConfigSchema.parse(raw);
  const templates: Record<string, { source: string; mode: 'text' | 'value' }> = {};
  for (const field of httpDefinition.templates(config)) templates[field.field] = { source: field.source, mode: field.mode };
  return withServices(httpNode.compile(config, fakeCompileContext(templates)), { http });
}

async function failure(run: () => unknown): Promise<NodeError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof NodeError) return error;
    throw error;
  }
  throw new Error('expected a NodeError');
}

const INJECTION = 'hi", "refund": 5000, "x": "';
const scope = {
  start: { note: `${INJECTION}\n第二行 "引号" \\ 反斜杠`, phone: '13800000000', form: { name: '张伟', tags: ['宽带'] }, amount: 12.5, count: '3', flag: 'true', raw: '{"a":[1,2]}' },
};

describe('http node: JSON bodies are built, not typed', () => {
  it('sends a caller’s quotes, newlines and would-be fields as one string value', async () => {
    const http = recorder();
    await compile({ method: 'POST', url: 'https://crm.example/tickets', body: { mode: 'json', fields: [{ name: 'note', value: '{{ start.note }}' }] } }, http).run(fakeExecContext(scope));
    const sent = http.sent[0];
    expect(sent.headers).toEqual({ 'Content-Type': 'application/json' });
    const parsed: unknown = JSON.parse(sent.body ?? '');
    expect(parsed).toEqual({ note: scope.start.note });
    expect(Object.keys(parsed as object)).toEqual(['note']);
  });

  it('reads each field as its type says', async () => {
    const http = recorder();
    const fields = [
      { name: 'form', value: '{{ start.form }}' },
      { name: 'amount', value: '{{ start.amount }}' },
      { name: 'text', value: '电话 {{ start.phone }}' },
      { name: 'count', value: '{{ start.count }}', type: 'number' },
      { name: 'flag', value: '{{ start.flag }}', type: 'boolean' },
      { name: 'raw', value: '{{ start.raw }}', type: 'json' },
      { name: 'constant', value: '[1, 2]', type: 'json' },
      { name: 'phone', value: '{{ start.phone }}', type: 'string' },
      { name: 'missing', value: '{{ start.nothing }}' },
      { name: 'empty', value: '', type: 'number' },
      { name: '__proto__', value: 'x' },
    ];
    await compile({ method: 'POST', url: 'https://crm.example/', body: { mode: 'json', fields } }, http).run(fakeExecContext(scope));
    const parsed = JSON.parse(http.sent[0].body ?? '') as Record<string, unknown>;
    expect(parsed).toEqual({
      form: { name: '张伟', tags: ['宽带'] },
      amount: 12.5,
      text: '电话 13800000000',
      count: 3,
      flag: true,
      raw: { a: [1, 2] },
      constant: [1, 2],
      phone: '13800000000',
      missing: null,
      empty: null,
      ['__proto__']: 'x',
    });
    expect(Object.keys(parsed)).toContain('__proto__');
  });

  it('fails the node, naming the field, when a value is not of its type', async () => {
    const http = recorder();
    const step = compile({ method: 'POST', url: 'https://crm.example/', body: { mode: 'json', fields: [{ name: 'phone', value: '{{ start.phone }}' }, { name: 'amount', value: '{{ start.note }}', type: 'number' }] } }, http);
    const error = await failure(() => step.run(fakeExecContext(scope)));
    expect(error).toMatchObject({ code: 'http_bad_body', details: { field: 'body.fields.1.value', name: 'amount', type: 'number' } });
    expect(error.message).toContain('"amount" should be a number');
    expect(http.sent).toHaveLength(0);
    expect(() => fieldValue('b', 0, 'boolean', 'yes')).toThrow(/true or false/);
    expect(() => fieldValue('j', 0, 'json', '{"a":')).toThrow(/should be JSON/);
  });
});

describe('http node: raw bodies carry their content type', () => {
  it('sends the text with the content type chosen, a Content-Type header winning', async () => {
    const http = recorder();
    await compile({ method: 'POST', url: 'https://x.example/', body: { mode: 'raw', text: 'phone={{ start.phone }}', contentType: 'application/x-www-form-urlencoded' } }, http).run(fakeExecContext(scope));
    expect(http.sent[0]).toMatchObject({ body: 'phone=13800000000', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    await compile({ method: 'POST', url: 'https://x.example/', headers: [{ name: 'content-type', value: 'text/csv' }], body: { mode: 'raw', text: 'a,b' } }, http).run(fakeExecContext(scope));
    expect(http.sent[1].headers).toEqual({ 'content-type': 'text/csv' });
  });

  it('refuses to send JSON that does not parse', async () => {
    const http = recorder();
    const step = compile({ method: 'POST', url: 'https://x.example/', body: { mode: 'raw', text: '{"note": "{{ start.note }}"}', contentType: 'application/json' } }, http);
    const error = await failure(() => step.run(fakeExecContext(scope)));
    expect(error).toMatchObject({ code: 'http_bad_body', details: { field: 'body.text' } });
    expect(error.message).toContain('JSON body mode');
    expect(http.sent).toHaveLength(0);
    expect(rawBody('not json', 'text/plain')).toBe('not json');
    expect(() => rawBody('{', 'application/problem+json; charset=utf-8')).toThrow(NodeError);
  });

  it('sends no body and no content type when there is none', async () => {
    const http = recorder();
    await compile({ url: 'https://x.example/' }, http).run(fakeExecContext(scope));
    await compile({ method: 'POST', url: 'https://x.example/', body: { mode: 'raw', text: '{{ start.nothing }}' } }, http).run(fakeExecContext(scope));
    for (const sent of http.sent) {
      expect(sent.body).toBeUndefined();
      expect(sent.headers).toEqual({});
    }
  });
});

describe('http node: query parameters and headers', () => {
  it('encodes query values, so a caller cannot add parameters', async () => {
    const http = recorder();
    const hostile = { start: { q: 'a&admin=1#frag 空 格+', phone: '138' } };
    await compile({ url: 'https://x.example/search?lang=zh', query: [{ name: 'q', value: '{{ start.q }}' }, { name: 'user id', value: '{{ start.phone }}' }] }, http).run(fakeExecContext(hostile));
    const url = new URL(http.sent[0].url);
    expect([...url.searchParams]).toEqual([
      ['lang', 'zh'],
      ['q', 'a&admin=1#frag 空 格+'],
      ['user id', '138'],
    ]);
    expect(url.hash).toBe('');
  });

  it('reads an old URL’s query string as parameters, encoded from now on', async () => {
    const http = recorder();
    await compile({ url: 'https://x.example/o?phone={{ start.q }}&src=ivr%20line' }, http).run(fakeExecContext({ start: { q: '1&admin=1' } }));
    expect([...new URL(http.sent[0].url).searchParams]).toEqual([
      ['phone', '1&admin=1'],
      ['src', 'ivr line'],
    ]);
  });

  it('refuses a header value with a line break', async () => {
    const http = recorder();
    const step = compile({ url: 'https://x.example/', headers: [{ name: 'X-Note', value: '{{ start.q }}' }] }, http);
    const error = await failure(() => step.run(fakeExecContext({ start: { q: 'a\r\nX-Admin: 1' } })));
    expect(error).toMatchObject({ code: 'http_bad_header', details: { field: 'headers.0.value', header: 'X-Note' } });
    expect(http.sent).toHaveLength(0);
    expect(headerValue('X', 'fine', 0)).toBe('fine');
  });

  it('names a URL that does not parse', () => {
    expect(() => buildUrl('not a url', [])).toThrow(expect.objectContaining({ code: 'http_bad_url' }));
  });
});
