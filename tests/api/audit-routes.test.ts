/**
 * Every `/api` route that changes something records it: this walks the router and fails for any route
 * other than GET that declares no audited action (`audits(…)` after its `allow(…)`) unless it is listed
 * below as not a change, with the reason. tests/api/audit.test.ts then makes each declared action happen
 * and checks its entry (and that every declared action was seen).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '@shared/audit.js';
import { removeDir, startTestServer, tempDir, type TestServer } from './helpers.js';
import { routesOf, type RouteEntry } from './router-routes.js';

/** Routes that take a POST (or any method) but change nothing anyone audits, and why. */
const NOT_CHANGES: Record<string, string> = {
  'POST /api/compile': 'compiles the graph in the body and answers its problems; stores nothing',
  'POST /api/scenarios/:id/compile': 'compiles the stored draft and answers its problems; stores nothing',
  'POST /api/scenarios/:id/test-run': 'a test run of the draft: it changes no scenario, key, user or job (its trace goes to the test-run history, which the run retention clears)',
  'POST /api/scenarios/:id/run-node': 'runs one node of the draft with the inputs of a stored test run and answers its trace; stores nothing',
  'POST /api/scenarios/:id/jobs/preview': 'reads the first rows of a job file to show them before submitting; stores nothing',
  'POST /api/scenarios/:id/eval-sets/preview': 'reads the first rows of an evaluation-set file to map its columns before uploading; stores nothing',
  'ALL /api/{*rest}': 'the 404 fallback for unknown paths',
};

let dir: string;
let server: TestServer;
let routes: RouteEntry[];

beforeAll(async () => {
  dir = tempDir('mofang-audit-routes-');
  server = await startTestServer(dir);
  routes = routesOf(server.app).filter((r) => r.path === '/api' || r.path.startsWith('/api/'));
});
afterAll(async () => {
  await server?.close();
  if (dir) removeDir(dir);
});

const key = (r: RouteEntry) => `${r.method} ${r.path}`;

describe('every changing /api route records an audit entry', () => {
  it('finds the changing routes, and each declares the actions it records or is listed as not a change', () => {
    const changing = routes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    expect(changing.length).toBeGreaterThanOrEqual(30);
    const silent = changing.filter((r) => (r.audits === undefined || r.audits.length === 0) && !(key(r) in NOT_CHANGES)).map(key);
    expect(silent).toEqual([]);
    // The exemption list names only routes that exist and declare nothing.
    for (const exempt of Object.keys(NOT_CHANGES)) {
      const route = changing.find((r) => key(r) === exempt);
      expect(route, exempt).toBeDefined();
      expect(route?.audits, exempt).toBeUndefined();
    }
  });

  it('declares only known actions, and reads (GET) record nothing', () => {
    for (const route of routes) for (const action of route.audits ?? []) expect(AUDIT_ACTIONS, key(route)).toContain(action);
    expect(routes.filter((r) => r.method === 'GET' && r.audits !== undefined).map(key)).toEqual([]);
  });

  it('covers the changes the issue names', () => {
    const declared = new Map(routes.map((r) => [key(r), r.audits ?? []]));
    expect(declared.get('POST /api/scenarios')).toEqual(['scenario.create']);
    expect(declared.get('PUT /api/scenarios/:id')).toEqual(['scenario.update']);
    expect(declared.get('DELETE /api/scenarios/:id')).toEqual(['scenario.delete']);
    expect(declared.get('POST /api/scenarios/:id/publish')).toEqual(['scenario.publish', 'eval_run.start']);
    expect(declared.get('POST /api/scenarios/:id/rollback')).toEqual(['scenario.rollback']);
    expect(declared.get('POST /api/keys')).toEqual(['key.create']);
    expect(declared.get('POST /api/keys/:id/revoke')).toEqual(['key.revoke']);
    expect(declared.get('PATCH /api/users/:id')).toEqual(['user.update']);
    expect(declared.get('POST /api/templates/:id/versions')).toEqual(['template.version']);
    expect(declared.get('POST /api/scenarios/:id/jobs')).toEqual(['job.submit']);
    expect(declared.get('POST /api/jobs/:id/cancel')).toEqual(['job.cancel']);
  });
});
