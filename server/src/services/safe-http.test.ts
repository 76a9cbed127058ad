import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeError } from '../nodes/kit.js';
import { createSafeHttp, embeddedIPv4, httpAllowFromEnv, parseAllowList, refusedRange, type Resolver } from './safe-http.js';

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
  const table: Record<string, string> = {
    'crm.internal': '127.0.0.1',
    'sneaky.example': '10.1.2.3',
    'meta.example': '169.254.169.254',
    'compat.example': '::7f00:1',
    'nat64.example': '64:ff9b::a9fe:a9fe',
  };
  const address = table[hostname];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address, family: address.includes(':') ? 6 : 4 }];
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
    ['::ffff:7f00:1', 'loopback'],
    // IPv4-compatible, as written and as URL parsers print it
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::10.0.0.1', 'private'],
    ['0:0:0:0:0:0:a9fe:a9fe', 'linkLocal'],
    // IPv4-translated
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::ffff:0:a00:1', 'private'],
    // NAT64: judged by the address it carries
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['64:ff9b::c0a8:101', 'private'],
    ['64:ff9b:1::a00:1', 'rfc6052'],
    // tunnels: refused whatever they carry
    ['2002:7f00:1::', '6to4'],
    ['2002:808:808::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedRange(address, none)).toBe(range);
  });

  it('reads the IPv4 address an IPv6 address carries', () => {
    expect(embeddedIPv4('::7f00:1')).toBe('127.0.0.1');
    expect(embeddedIPv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIPv4('::ffff:0:a00:1')).toBe('10.0.0.1');
    expect(embeddedIPv4('64:ff9b::808:808')).toBe('8.8.8.8');
    for (const none of ['::1', '::', '2606:4700::1', '127.0.0.1', 'nonsense']) expect(embeddedIPv4(none), none).toBeNull();
  });

  it('lets NAT64 through to a public IPv4 address, as an IPv6-only network needs', () => {
    expect(refusedRange('64:ff9b::808:808', none)).toBeNull();
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
    // A carried IPv4 address is checked against the IPv4 entries, never against an IPv6 prefix around it.
    expect(refusedRange('::7f00:1', allow)).toBeNull();
    expect(refusedRange('64:ff9b::7f00:1', allow)).toBeNull();
    expect(refusedRange('64:ff9b::7f00:1', parseAllowList(['64:ff9b::/96']))).toBe('loopback');
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
    () => `http://[::127.0.0.1]:${port}/`,
    () => `http://[::7f00:1]:${port}/`,
    () => `http://[0:0:0:0:0:0:127.0.0.1]:${port}/`,
    () => `http://[::ffff:0:127.0.0.1]:${port}/`,
    () => `http://[64:ff9b::127.0.0.1]:${port}/`,
    () => `http://[2002:7f00:1::]:${port}/`,
    () => `http://compat.example:${port}/`,
    () => 'http://nat64.example/',
  ])('refuses %#', async (url) => {
    const target = url();
    const requester = target.includes('localhost') ? createSafeHttp() : guarded;
    const error = await failure(requester.request(get(target)));
    expect(error.code).toBe('http_refused');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('MOFANG_HTTP_ALLOW');
    if (requester !== guarded) await requester.close();
  });

  it('names the IPv4 address an IPv6 literal carries', async () => {
    const error = await failure(guarded.request(get(`http://[::127.0.0.1]:${port}/`)));
    expect(error.message).toContain('::7f00:1: it is a loopback address (it carries the IPv4 address 127.0.0.1)');
    expect(error.details).toEqual({ host: '::7f00:1', address: '::7f00:1', range: 'loopback', ipv4: '127.0.0.1' });
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
