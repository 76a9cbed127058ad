/**
 * `GET /api/ready` and `GET /api/health` on the real server: both public; ready is 200 `{ ready: true }`
 * until the server drains, then 503 `draining`, while health (liveness) stays 200.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './test-store.js';
import { call, removeDir, startTestServer, tempDir, type TestServer } from './helpers.js';

let server: TestServer;
const dir = tempDir('mofang-ready-');
beforeAll(async () => {
  server = await startTestServer(dir);
});
afterAll(async () => {
  await server.close();
  removeDir(dir);
});

describe('GET /api/ready', () => {
  it('answers anyone 200 { ready: true } while the store answers and the server is not draining', async () => {
    const res = await call(server.url, 'GET', '/api/ready', undefined, {}, { as: null });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ready: true });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('tells a signed-in user which store the server uses (the PostgreSQL pass runs on PostgreSQL)', async () => {
    const health = await call(server.url, 'GET', '/api/health');
    expect(health.json).toMatchObject({ ok: true, store: onPostgres ? 'postgres' : 'sqlite' });
  });

  it('answers 503 draining once the server drains; /api/health stays 200', async () => {
    server.drain.start();
    const ready = await call(server.url, 'GET', '/api/ready', undefined, {}, { as: null });
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ error: { code: 'draining' } });
    const health = await call(server.url, 'GET', '/api/health', undefined, {}, { as: null });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: true });
  });
});
