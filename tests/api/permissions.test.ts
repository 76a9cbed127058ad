/**
 * Every `/api` route declares who may call it, and the declaration holds: this walks Express's router
 * stack (the job upload routes mounted beside the `/api` router and the 404 fallback included) and
 * fails for any route whose first handler is not an `allow(…)`; then it calls every route anonymously
 * (401 unless public) and as each role (403 `forbidden` without the permission, neither 401 nor 403 with it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, ROLES, type Role } from '@shared/permissions.js';
import { call, removeDir, signInAs, startTestServer, tempDir, type TestServer, type TestSession } from './helpers.js';
import { routesOf, type RouteEntry } from './router-routes.js';

/** A URL that reaches the route: parameters filled with a value naming nothing. */
function concrete(path: string): string {
  return path.replace(/\{\*\w+\}/g, 'no-such-route').replace(/:\w+/g, 'x');
}

let dir: string;
let server: TestServer;
let routes: RouteEntry[];
const sessionOf = new Map<Role, TestSession>();

beforeAll(async () => {
  dir = tempDir('mofang-permissions-');
  server = await startTestServer(dir);
  routes = routesOf(server.app).filter((r) => r.path === '/api' || r.path.startsWith('/api/'));
  sessionOf.set('admin', server.session);
  for (const role of ROLES) if (role !== 'admin') sessionOf.set(role, await signInAs(server.url, role));
});
afterAll(async () => {
  await server?.close();
  if (dir) removeDir(dir);
});

/** Sign-out ends the session it is called with: it is called last. */
const isLogout = (r: RouteEntry) => r.path === '/api/auth/logout';

/** Routes that answer with an event stream that never ends by itself (the live board's). */
const ENDLESS_STREAMS = new Set(['/api/live/events']);

async function request(route: RouteEntry, as: TestSession | null) {
  const method = route.method === 'ALL' ? 'GET' : route.method;
  if (ENDLESS_STREAMS.has(route.path)) {
    // The status and, for a refusal, the JSON body; an opened stream is left at once.
    const controller = new AbortController();
    const res = await fetch(server.url + route.path, { headers: { ...as?.headers }, signal: controller.signal });
    const text = res.status === 200 ? '' : await res.text();
    controller.abort();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined, text };
  }
  const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
  return call(server.url, method, concrete(route.path), body, {}, { as });
}

describe('every /api route declares its access', () => {
  it('finds the routes (the job routes and the 404 fallback among them) and each declares an access', () => {
    expect(routes.length).toBeGreaterThanOrEqual(60);
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys).toEqual(expect.arrayContaining(['POST /api/scenarios/:id/jobs', 'GET /api/jobs/:id/results', 'ALL /api/{*rest}', 'GET /api/health', 'POST /api/auth/login', 'PATCH /api/users/:id']));
    expect(routes.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const publicRoutes = routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`);
    expect(publicRoutes.sort()).toEqual(['GET /api/auth/oidc/callback', 'GET /api/auth/oidc/start', 'GET /api/auth/state', 'GET /api/health', 'GET /api/ready', 'POST /api/auth/login', 'POST /api/auth/setup']);
    expect(routes.find((r) => r.path === '/api/node-kinds')?.access).toBe('scenarios:read');
  });

  it('answers 401 without a session on every route that is not public', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      if (route.access === 'public') continue;
      const res = await request(route, null);
      if (res.status !== 401 || (res.json as { error?: { code?: string } })?.error?.code !== 'unauthenticated') wrong.push(`${route.method} ${route.path}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(ROLES)('lets a %s through exactly the routes its permissions cover (403 forbidden elsewhere)', async (role) => {
    const session = sessionOf.get(role) ?? null;
    const wrong: string[] = [];
    let allowed = 0;
    for (const route of [...routes.filter((r) => !isLogout(r)), ...routes.filter(isLogout)]) {
      const access = route.access;
      if (access === undefined) continue;
      const holds = access === 'public' || access === 'signed_in' || can(role, access);
      const res = await request(route, session);
      const code = (res.json as { error?: { code?: string; details?: { permission?: string } } })?.error;
      if (holds) {
        allowed += 1;
        if (res.status === 401 || res.status === 403) wrong.push(`${route.method} ${route.path} (${access}): ${res.status} ${res.text.slice(0, 120)}`);
      } else if (res.status !== 403 || code?.code !== 'forbidden' || code.details?.permission !== access) {
        wrong.push(`${route.method} ${route.path} (${access}): ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(allowed).toBeGreaterThanOrEqual(role === 'admin' ? routes.length : 10);
  });
});
