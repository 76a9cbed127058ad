/**
 * The web front door over real HTTP (server/src/http/front-door.ts): security headers on every reply,
 * the Host check (DNS rebinding) on loopback and with configured names, CORS for /v1 only when
 * MOFANG_CORS_ORIGINS lists the origin, and cross-site changes to /api refused.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frontDoor } from '../../server/src/http/front-door.js';
import { loadConfig } from '../../server/src/config.js';
import { startServer } from '../../server/src/http/server.js';
import { call, echoGraph, removeDir, SIM_ENV, startBareServer, tempDir } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/** A request with exactly these headers (Host included, which fetch cannot set). */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers, setHost: !('host' in headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
    });
    req.on('error', reject).end(body);
  });
}

const inputs = { transcript: '坐席：您好\n客户：宽带断了' };
const runBody = JSON.stringify({ inputs });
const SECURITY_HEADERS = ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'strict-transport-security', 'x-powered-by'];

let h: V1Harness;
let key: string;
let base: string;

beforeAll(async () => {
  h = await startV1Harness();
  await h.publish('echo', echoGraph());
  key = (await h.key()).key;
  base = h.server.url;
});
afterAll(async () => {
  await h?.close();
});

describe('security headers', () => {
  it('every reply: no framing, no sniffing, no referrer, no x-powered-by, a CSP that loads nothing', async () => {
    for (const path of ['/api/health', '/v1/openapi.json', '/api/nope', '/v1/jobs/nope']) {
      const r = await raw(base, 'GET', path, { authorization: `Bearer ${key}` });
      expect(r.headers['x-frame-options'], path).toBe('DENY');
      expect(r.headers['x-content-type-options'], path).toBe('nosniff');
      expect(r.headers['referrer-policy'], path).toBe('no-referrer');
      expect(r.headers['x-powered-by'], path).toBeUndefined();
      expect(r.headers['content-security-policy'], path).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    }
  });

  it('the app page and the docs carry their own policies, which forbid framing and inline script', async () => {
    const app = await raw(base, 'GET', '/', {});
    const docs = await raw(base, 'GET', '/docs', {});
    for (const r of [app, docs]) {
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
    expect(String(app.headers['content-security-policy'])).toContain("worker-src 'self' blob:");
  });

  it('the /v1 fast lane sends the same headers as the Express route', async () => {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const lane = await raw(base, 'POST', '/v1/scenarios/echo/run', headers, runBody);
    const express = await raw(base, 'POST', '/v1/scenarios/echo/run/', headers, runBody);
    expect([lane.status, express.status]).toEqual([200, 200]);
    for (const name of SECURITY_HEADERS) expect(lane.headers[name], name).toEqual(express.headers[name]);
  });
});

describe('the Host check (DNS rebinding)', () => {
  it('on loopback answers localhost, 127.0.0.1 and [::1] at any port', async () => {
    for (const host of ['localhost', 'localhost:80', '127.0.0.1:9999', '[::1]:3000']) {
      expect((await raw(base, 'GET', '/api/health', { host })).status, host).toBe(200);
    }
  });

  it('refuses any other name on every route, the fast lane included, naming the setting', async () => {
    const headers = { host: 'attacker.example:3000', authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const replies = [
      await raw(base, 'GET', '/api/health', headers),
      await raw(base, 'GET', '/', headers),
      await raw(base, 'GET', '/docs', headers),
      await raw(base, 'GET', '/v1/openapi.json', headers),
      await raw(base, 'POST', '/v1/scenarios/echo/run', headers, runBody),
      await raw(base, 'POST', '/v1/scenarios/echo/run/', headers, runBody),
      await raw(base, 'POST', '/api/keys', headers, '{}'),
    ];
    for (const r of replies) {
      expect(r.status).toBe(421);
      expect(r.json).toMatchObject({ error: { code: 'host_not_allowed', details: { host: 'attacker.example', setting: 'MOFANG_ALLOWED_HOSTS' } } });
      expect(JSON.stringify(r.json)).toContain('MOFANG_ALLOWED_HOSTS');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
    const ip = await raw(base, 'GET', '/api/health', { host: '10.0.0.5:3000' });
    expect(ip.status).toBe(421);
    expect(await raw(base, 'GET', '/api/health', { host: 'a/b' })).toMatchObject({ status: 400, json: { error: { code: 'invalid_host' } } });
  });

  it('with MOFANG_ALLOWED_HOSTS and MOFANG_PUBLIC_URL, answers those names too', async () => {
    const other = await startV1Harness({ MOFANG_ALLOWED_HOSTS: 'mofang.example.com,.corp.example', MOFANG_PUBLIC_URL: 'https://api.example.net' });
    try {
      for (const host of ['mofang.example.com', 'mofang.example.com:3000', 'team.corp.example', 'api.example.net', 'localhost:1']) {
        expect((await raw(other.server.url, 'GET', '/api/health', { host })).status, host).toBe(200);
      }
      for (const host of ['attacker.example', 'example.com', 'mofang.example.com.attacker.example']) {
        expect((await raw(other.server.url, 'GET', '/api/health', { host })).status, host).toBe(421);
      }
    } finally {
      await other.close();
    }
  });

  it('beyond loopback: IP addresses and configured names pass, other names are refused', async () => {
    // The door as startServer builds it for HOST=0.0.0.0, in front of a bare handler (tests listen on loopback only).
    const door = frontDoor({ listenHost: '0.0.0.0', web: { allowedHosts: ['mofang.example.com'], corsOrigins: [] } });
    const server: Server = createServer((req, res) => {
      if (!door(req, res)) res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    try {
      for (const host of ['10.0.0.5:3000', '[fd00::5]', 'mofang.example.com', 'localhost']) expect((await raw(url, 'GET', '/', { host })).status, host).toBe(200);
      expect(await raw(url, 'GET', '/', { host: 'rebound.attacker.example' })).toMatchObject({ status: 421, json: { error: { code: 'host_not_allowed' } } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('CORS', () => {
  const preflight = (url: string, path: string, origin: string) =>
    raw(url, 'OPTIONS', path, { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });

  it('is off by default: a preflight is refused, naming MOFANG_CORS_ORIGINS, and no reply allows an origin', async () => {
    const r = await preflight(base, '/v1/scenarios/echo/run', 'https://crm.example.com');
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ error: { code: 'cors_origin_not_allowed', details: { setting: 'MOFANG_CORS_ORIGINS' } } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const run = await raw(base, 'POST', '/v1/scenarios/echo/run', { origin: 'https://crm.example.com', authorization: `Bearer ${key}`, 'content-type': 'application/json' }, runBody);
    expect(run.status).toBe(200);
    expect(run.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('with MOFANG_CORS_ORIGINS, a listed origin may call /v1 with its key; others and /api are refused', async () => {
    const other = await startV1Harness({ MOFANG_CORS_ORIGINS: 'https://crm.example.com' });
    try {
      await other.publish('echo', echoGraph());
      const otherKey = (await other.key()).key;
      const url = other.server.url;
      const ok = await preflight(url, '/v1/scenarios/echo/run', 'https://crm.example.com');
      expect(ok.status).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://crm.example.com');
      expect(String(ok.headers['access-control-allow-headers'])).toMatch(/Authorization/);
      expect(String(ok.headers['access-control-allow-methods'])).toMatch(/POST/);

      const headers = { origin: 'https://crm.example.com', authorization: `Bearer ${otherKey}`, 'content-type': 'application/json' };
      const lane = await raw(url, 'POST', '/v1/scenarios/echo/run', headers, runBody);
      const express = await raw(url, 'POST', '/v1/scenarios/echo/run/', headers, runBody);
      for (const r of [lane, express]) {
        expect(r.status).toBe(200);
        expect(r.headers['access-control-allow-origin']).toBe('https://crm.example.com');
        expect(String(r.headers['access-control-expose-headers'])).toContain('X-Run-Id');
        expect(r.headers.vary).toMatch(/Origin/);
      }

      const evil = await preflight(url, '/v1/scenarios/echo/run', 'https://attacker.example');
      expect(evil.status).toBe(403);
      expect(evil.json).toMatchObject({ error: { code: 'cors_origin_not_allowed', details: { origin: 'https://attacker.example' } } });
      const evilRun = await raw(url, 'POST', '/v1/scenarios/echo/run', { ...headers, origin: 'https://attacker.example' }, runBody);
      expect(evilRun.headers['access-control-allow-origin']).toBeUndefined();

      expect((await preflight(url, '/api/keys', 'https://crm.example.com')).status).toBe(403);
      const api = await raw(url, 'GET', '/api/health', { origin: 'https://crm.example.com' });
      expect(api.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('cross-site changes to /api', () => {
  it('refuses a body-less cross-site POST that would revoke a key; the key keeps working', async () => {
    const victim = await h.key({ name: 'victim' });
    const attacks: Array<Record<string, string>> = [{ origin: 'https://attacker.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'http://localhost:8080', host: 'localhost:3000' }];
    for (const headers of attacks) {
      const r = await raw(base, 'POST', `/api/keys/${victim.id}/revoke`, headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.json).toMatchObject({ error: { code: 'cross_site_request' } });
    }
    const del = await raw(base, 'DELETE', '/api/scenarios/anything', { origin: 'https://attacker.example' });
    expect(del).toMatchObject({ status: 403, json: { error: { code: 'cross_site_request' } } });
    expect((await h.v1('POST', '/v1/scenarios/echo/run', victim.key, { inputs })).status).toBe(200);
  });

  it('refuses them in any letter case (Express routes /API/… to /api), and refuses absolute-form targets', async () => {
    const victim = await h.key({ name: 'victim-case' });
    for (const prefix of ['/API', '/Api', '/aPi']) {
      const r = await raw(base, 'POST', `${prefix}/keys/${victim.id}/revoke`, { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' });
      expect(r.status, prefix).toBe(403);
      expect(r.json).toMatchObject({ error: { code: 'cross_site_request' } });
    }
    const login = await raw(base, 'POST', '/API/auth/login', { origin: 'https://attacker.example', 'content-type': 'application/json' }, JSON.stringify({ name: 'admin', password: 'x' }));
    expect(login.status).toBe(403);
    // A request line naming another host (absolute-form, for proxies) is refused before anything routes it.
    const absolute = await raw(base, 'POST', `http://attacker.example/api/keys/${victim.id}/revoke`, { host: new URL(base).host });
    expect(absolute).toMatchObject({ status: 400, json: { error: { code: 'invalid_request_target' } } });
    expect(absolute.headers['x-frame-options']).toBe('DENY');
    expect((await h.v1('POST', '/v1/scenarios/echo/run', victim.key, { inputs })).status).toBe(200);
  });

  it('lets the app\'s own pages and programs without an Origin make changes', async () => {
    const mine = await h.key({ name: 'mine' });
    const same = await call(base, 'POST', `/api/keys/${mine.id}/revoke`, undefined, { origin: base, 'sec-fetch-site': 'same-origin' });
    expect(same.status).toBe(200);
    const other = await h.key({ name: 'other' });
    expect((await call(base, 'POST', `/api/keys/${other.id}/revoke`)).status).toBe(200);
    // Reads from another site are not refused by this check (CORS keeps their replies from the page).
    expect((await raw(base, 'GET', '/api/health', { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });
});

describe('listening beyond loopback', () => {
  it('refuses to start on 0.0.0.0 while the store has no admin, before opening any port', async () => {
    const dir = tempDir('mofang-listen-');
    try {
      const config = loadConfig({ ...SIM_ENV, PORT: '0', HOST: '0.0.0.0', MOFANG_DATA_DIR: dir });
      await expect(startServer(config, { signals: false, log: () => {} })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 \(HOST\) while no admin account exists/);
      // The same store on loopback starts, and shows the setup page's state.
      const bare = await startBareServer(dir);
      try {
        expect((await call(bare.url, 'GET', '/api/auth/state', undefined, {}, { as: null })).json).toMatchObject({ setup_required: true });
      } finally {
        await bare.close();
      }
    } finally {
      removeDir(dir);
    }
  });
});
