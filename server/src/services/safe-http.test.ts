import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeError } from '../nodes/kit.js';
import { createSafeHttp, httpAllowFromEnv, parseAllowList, refusedRange, type Resolver } from './safe-http.js';

let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/big') return res.end('x'.repeat(4000));
    if (req.url === '/big-chunked') {
      res.write('x'.repeat(3000));
      return res.end('y'.repeat(3000));
    }
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://10.0.0.1/secret' });
      return res.end();
    }
    if (req.url === '/hang') return; // never answers; the server's close ends it
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, body, type: req.headers['content-type'] ?? null })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? (address satisfies AddressInfo).port : 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const resolver: Resolver = async (hostname) => {
  const table: Record<string, string> = { 'crm.internal': '127.0.0.1', 'sneaky.example': '10.1.2.3', 'meta.example': '169.254.169.254' };
  const address = table[hostname];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address, family: 4 }];
};

const signal = new AbortController().signal;
const get = (url: string, timeoutMs = 2000) => ({ method: 'GET', url, headers: {}, timeoutMs, signal });

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof NodeError)) throw new Error(`expected a NodeError, got ${String(error)}`);
  return error;
}

describe('refusedRange', () => {
  const none = parseAllowList([]);
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.2.3.4', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedRange(address, none)).toBe(range);
  });

  it('lets public unicast addresses through', () => {
    expect(refusedRange('8.8.8.8', none)).toBeNull();
    expect(refusedRange('2606:4700::1', none)).toBeNull();
  });

  it('lets through what the allow-list names', () => {
    const allow = parseAllowList(['10.1.0.0/16', '127.0.0.1', 'fd00::/8']);
    expect(refusedRange('10.1.9.9', allow)).toBeNull();
    expect(refusedRange('10.2.0.1', allow)).toBe('private');
    expect(refusedRange('127.0.0.1', allow)).toBeNull();
    expect(refusedRange('::ffff:127.0.0.1', allow)).toBeNull();
    expect(refusedRange('fd12::1', allow)).toBeNull();
  });

  it('rejects a malformed allow-list entry', () => {
    expect(() => parseAllowList(['10.0.0.0/99'])).toThrow(/CIDR/);
    expect(() => parseAllowList(['not a host!'])).toThrow(/MOFANG_HTTP_ALLOW/);
  });
});

describe('httpAllowFromEnv', () => {
  it('splits MOFANG_HTTP_ALLOW on commas', () => {
    expect(httpAllowFromEnv({ MOFANG_HTTP_ALLOW: ' 10.0.0.0/8, crm.internal ,,' })).toEqual(['10.0.0.0/8', 'crm.internal']);
    expect(httpAllowFromEnv({})).toEqual([]);
  });
});

describe('safe HTTP requester', () => {
  const guarded = createSafeHttp({ resolve: resolver });
  const open = createSafeHttp({ allow: ['127.0.0.1/32'], maxBodyBytes: 1000 });
  const byName = createSafeHttp({ allow: ['crm.internal'], resolve: resolver });
  afterAll(async () => {
    await Promise.all([guarded.close(), open.close(), byName.close()]);
  });

  it.each([
    () => `http://127.0.0.1:${port}/`,
    () => `http://localhost:${port}/`,
    () => `http://[::1]:${port}/`,
    () => `http://[::ffff:127.0.0.1]:${port}/`,
    () => 'http://10.0.0.1/',
    () => 'http://169.254.169.254/latest/meta-data/',
    () => `http://crm.internal:${port}/`,
    () => 'http://sneaky.example/',
    () => 'http://meta.example/',
  ])('refuses %#', async (url) => {
    const target = url();
    const requester = target.includes('localhost') ? createSafeHttp() : guarded;
    const error = await failure(requester.request(get(target)));
    expect(error.code).toBe('http_refused');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('MOFANG_HTTP_ALLOW');
    if (requester !== guarded) await requester.close();
  });

  it('refuses other schemes', async () => {
    expect((await failure(guarded.request(get('file:///etc/passwd')))).code).toBe('http_bad_url');
  });

  it('calls an allowed loopback server for real', async () => {
    const response = await open.request({ method: 'POST', url: `http://127.0.0.1:${port}/echo`, headers: { 'content-type': 'text/plain' }, body: 'hi', timeoutMs: 2000, signal });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ method: 'POST', url: '/echo', body: 'hi', type: 'text/plain' });
    expect(response.headers['content-type']).toBeUndefined();
  });

  it('allows a host name on the allow-list', async () => {
    const response = await byName.request(get(`http://crm.internal:${port}/by-name`));
    expect(JSON.parse(response.body).url).toBe('/by-name');
  });

  it('does not follow redirects', async () => {
    const response = await open.request(get(`http://127.0.0.1:${port}/redirect`));
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('http://10.0.0.1/secret');
  });

  it('caps the response body', async () => {
    expect((await failure(open.request(get(`http://127.0.0.1:${port}/big`)))).code).toBe('http_too_large');
    expect((await failure(open.request(get(`http://127.0.0.1:${port}/big-chunked`)))).code).toBe('http_too_large');
  });

  it('times out a server that does not answer, as a retryable error', async () => {
    const error = await failure(open.request(get(`http://127.0.0.1:${port}/hang`, 200)));
    expect(error.code).toBe('http_timeout');
    expect(error.retryable).toBe(true);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const deadPort = typeof address === 'object' && address ? address.port : 0;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(open.request(get(`http://127.0.0.1:${deadPort}/`)));
    expect(error.code).toBe('http_network');
    expect(error.retryable).toBe(true);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = open.request({ ...get(`http://127.0.0.1:${port}/hang`, 5000), signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).code).toBe('http_cancelled');
  });
});
