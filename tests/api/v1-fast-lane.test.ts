/**
 * The run operation's fast lane (server/src/http/v1/fast-run.ts) answers exactly as the Express route
 * behind it: each request is sent to the exact path (the lane takes it) and with a trailing slash (the
 * lane leaves it to Express, whose routing ignores the slash), and the replies must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { echoGraph } from './helpers.js';
import { startV1Harness, withoutRunId, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let key: string;

beforeAll(async () => {
  h = await startV1Harness({ MOFANG_API_BODY_LIMIT: '2kb' });
  await h.publish('echo', echoGraph());
  key = (await h.key()).key;
});
afterAll(async () => {
  await h?.close();
});

interface Sent {
  query?: string;
  body: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  auth?: string | null;
}

async function send(path: string, sent: Sent): Promise<{ status: number; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...sent.headers };
  const auth = sent.auth === undefined ? key : sent.auth;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  const res = await fetch(`${h.server.url}${path}${sent.query ?? ''}`, { method: 'POST', headers, body: typeof sent.body === 'string' ? sent.body : new Blob([sent.body]) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

/** A reply without what differs from run to run (ids, times). */
function stable(json: unknown): unknown {
  return JSON.parse(JSON.stringify(withoutRunId(json), (k, v: unknown) => (k === 'latency_ms' ? undefined : v)));
}

/** Headers every reply gets from the front door: security headers (helmet); no x-powered-by. */
const FRONT_DOOR_HEADERS = ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'strict-transport-security', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'origin-agent-cluster', 'x-powered-by'];

const inputs = { transcript: '坐席：您好\n客户：宽带断了' };
const cases: Record<string, Sent> = {
  'a run': { body: JSON.stringify({ inputs }) },
  'a run with a charset': { body: JSON.stringify({ inputs }), headers: { 'content-type': 'application/json; charset=UTF-8' } },
  'charset=utf8 (body-parser: 415)': { body: JSON.stringify({ inputs }), headers: { 'content-type': 'application/json; charset=utf8' } },
  'a quoted charset': { body: JSON.stringify({ inputs }), headers: { 'content-type': 'application/json; charset="utf-8"' } },
  'a pinned version': { query: '?version=1', body: JSON.stringify({ inputs }) },
  'an unknown version': { query: '?version=7', body: JSON.stringify({ inputs }) },
  'a bad version': { query: '?version=x', body: JSON.stringify({ inputs }) },
  'a version after 1000 other parameters (past the query parser\'s cap)': {
    query: `?${Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&')}&version=7`,
    body: JSON.stringify({ inputs }),
  },
  'two versions': { query: '?version=1&version=1', body: JSON.stringify({ inputs }) },
  'an empty body': { body: '' },
  'a byte order mark': { body: `\ufeff${JSON.stringify({ inputs })}` },
  'invalid JSON': { body: '{"inputs": ' },
  'a JSON string': { body: '"text"' },
  'an array': { body: '[1, 2]' },
  'inputs not an object': { body: JSON.stringify({ inputs: 'text' }) },
  'missing inputs': { body: JSON.stringify({ inputs: {} }) },
  'nested too deep': { body: `{"inputs": {"transcript": "x", "meta": ${'['.repeat(200)}${']'.repeat(200)}}}` },
  'over the body limit': { body: JSON.stringify({ inputs: { transcript: '问'.repeat(2000) } }) },
  'no key': { body: JSON.stringify({ inputs }), auth: null },
  'an unknown key': { body: JSON.stringify({ inputs }), auth: `mf_${'A'.repeat(43)}` },
};

describe('the /v1 run fast lane', () => {
  for (const [name, sent] of Object.entries(cases)) {
    it(`answers ${name} as the Express route does`, async () => {
      const lane = await send('/v1/scenarios/echo/run', sent);
      const express = await send('/v1/scenarios/echo/run/', sent);
      expect(lane.status).toBe(express.status);
      expect(stable(lane.json)).toEqual(stable(express.json));
      expect(lane.headers.get('content-type')).toBe(express.headers.get('content-type'));
      expect(lane.headers.get('x-run-id')).toBeTruthy();
      expect(lane.headers.get('www-authenticate')).toBe(express.headers.get('www-authenticate'));
      // The front door's headers (server/src/http/front-door.ts) come before either.
      for (const name of FRONT_DOOR_HEADERS) expect(lane.headers.get(name), name).toBe(express.headers.get(name));
      expect(lane.headers.get('x-frame-options')).toBe('DENY');
    });
  }

  it('an unknown scenario is the same 404 on both', async () => {
    const lane = await send('/v1/scenarios/nope/run', { body: JSON.stringify({ inputs }) });
    const express = await send('/v1/scenarios/nope/run/', { body: JSON.stringify({ inputs }) });
    expect([lane.status, stable(lane.json)]).toEqual([express.status, stable(express.json)]);
  });

  it('ends the query at a fragment, as Express does', async () => {
    const viaNode = (path: string) =>
      new Promise<{ status: number; json: unknown }>((resolve, reject) => {
        const body = JSON.stringify({ inputs });
        // A path given as such is sent as it is (a URL would lose its fragment on the client).
        const { hostname, port } = new URL(h.server.url);
        const req = request({ hostname, port, path, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        });
        req.on('error', reject).end(body);
      });
    const lane = await viaNode('/v1/scenarios/echo/run?version=1#top');
    const express = await viaNode('/v1/scenarios/echo/run/?version=1#top');
    expect(lane.status).toBe(200);
    expect([lane.status, stable(lane.json)]).toEqual([express.status, stable(express.json)]);
  });

  it('leaves to Express what it does not take, which answers it: a gzip body, server-sent events', async () => {
    const gz = await send('/v1/scenarios/echo/run', { body: Uint8Array.from(gzipSync(JSON.stringify({ inputs }))), headers: { 'content-encoding': 'gzip' } });
    expect(gz.status).toBe(200);
    const events = await fetch(`${h.server.url}/v1/scenarios/echo/run`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ inputs }) });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    expect(await events.text()).toMatch(/event: ?run\.finished/);
  });
});

describe("the fast lane for a live session's turns", () => {
  const turn = { id: 'a1', role: 'customer', text: '宽带断了' };
  const turnCases: Record<string, Sent> = {
    'turns': { body: JSON.stringify({ turns: [turn, { role: 'agent', text: '您好' }] }) },
    'a repeated turn id': { body: JSON.stringify({ turns: [turn, turn] }) },
    'a charset': { body: JSON.stringify({ turns: [turn] }), headers: { 'content-type': 'application/json; charset=UTF-8' } },
    'charset=utf8 (body-parser: 415)': { body: JSON.stringify({ turns: [turn] }), headers: { 'content-type': 'application/json; charset=utf8' } },
    'an empty body': { body: '' },
    'invalid JSON': { body: '{"turns": ' },
    'a JSON string': { body: '"text"' },
    'no turns': { body: JSON.stringify({ turns: [] }) },
    'a turn without text': { body: JSON.stringify({ turns: [{ role: 'customer' }] }) },
    '101 turns': { body: JSON.stringify({ turns: Array.from({ length: 101 }, (_, i) => ({ role: 'customer', text: `${i}` })) }) },
    'nested too deep': { body: `{"turns": [{"role": "customer", "text": "x", "x": ${'['.repeat(200)}${']'.repeat(200)}}]}` },
    'over the body limit': { body: JSON.stringify({ turns: [{ role: 'customer', text: '问'.repeat(2000) }] }) },
    'no key': { body: JSON.stringify({ turns: [turn] }), auth: null },
  };
  const open = async (): Promise<string> => {
    const res = await fetch(`${h.server.url}/v1/scenarios/echo/sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(201);
    return ((await res.json()) as { session_id: string }).session_id;
  };
  /** A reply with the session id made the same (each path posts to a session of its own). */
  const same = (json: unknown, id: string) => JSON.parse(JSON.stringify(stable(json)).replaceAll(id, '<session>')) as unknown;

  for (const [name, sent] of Object.entries(turnCases)) {
    it(`answers ${name} as the Express route does`, async () => {
      const [a, b] = [await open(), await open()];
      const lane = await send(`/v1/sessions/${a}/turns`, sent);
      const express = await send(`/v1/sessions/${b}/turns/`, sent);
      expect(lane.status).toBe(express.status);
      expect(same(lane.json, a)).toEqual(same(express.json, b));
      expect(lane.headers.get('content-type')).toBe(express.headers.get('content-type'));
      for (const header of FRONT_DOOR_HEADERS) expect(lane.headers.get(header), header).toBe(express.headers.get(header));
    });
  }

  it('an unknown session, and one posted to after its end, are the same refusals on both', async () => {
    const body = { body: JSON.stringify({ turns: [turn] }) };
    const lane = await send('/v1/sessions/nope/turns', body);
    const express = await send('/v1/sessions/nope/turns/', body);
    expect([lane.status, stable(lane.json)]).toEqual([404, stable(express.json)]);
    const id = await open();
    expect((await send(`/v1/sessions/${id}/end`, { body: '{}' })).status).toBe(200);
    const after = await send(`/v1/sessions/${id}/turns`, body);
    const afterExpress = await send(`/v1/sessions/${id}/turns/`, body);
    expect([after.status, after.json]).toEqual([afterExpress.status, afterExpress.json]);
  });
});
