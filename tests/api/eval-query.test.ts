/**
 * Every query parameter of the evaluation routes is read once, as text, and only where the route reads
 * it: `?revision[]=1` (Express keeps it as a parameter named `revision[]`), a repeated `?revision=`, an
 * unknown parameter and a malformed value are each a 400 `invalid_query_param` naming the parameter,
 * on the set routes and the run routes alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalSetSummarySchema } from '@shared/evaluation.js';
import { authHeaders, call, echoGraph } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let scenarioId: string;
let setId: string;
const base = () => h.server.url;

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('echo', echoGraph())).scenarioId;
  setId = EvalSetSummarySchema.parse((await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: 'q', description: '' })).json).id;
  const added = await call(base(), 'POST', `/api/eval-sets/${setId}/cases`, { cases: [{ id: 'a', inputs: { transcript: '客户：你好' }, expected: { reply: 'x' } }] });
  expect(added.status, added.text).toBe(201);
});
afterAll(() => h.close());

/** The refusal of a request: its status and its error's code and details. */
async function refusal(method: string, url: string, body?: unknown) {
  const res = await call(base(), method, url, body);
  return { status: res.status, ...(res.json as { error: { code: string; details?: Record<string, unknown> } }).error };
}

describe('query parameters of the evaluation routes', () => {
  it('refuses a parameter given as a list or more than once, naming it', async () => {
    for (const url of [`/api/eval-sets/${setId}?revision[]=1`, `/api/eval-sets/${setId}/export?revision[]=1`]) {
      const r = await refusal('GET', url);
      expect(r, url).toMatchObject({ status: 400, code: 'invalid_query_param', details: { param: 'revision[]', reason: 'unknown' } });
    }
    expect(await refusal('GET', `/api/eval-sets/${setId}?revision=1&revision=0`)).toMatchObject({ status: 400, code: 'invalid_query_param', details: { param: 'revision', reason: 'repeated', accepted: ['revision'] } });
    expect(await refusal('GET', `/api/eval-runs/compare?a=x&a=y&b=z`)).toMatchObject({ status: 400, code: 'invalid_query_param', details: { param: 'a', reason: 'repeated' } });
    expect(await refusal('POST', `/api/eval-sets/${setId}/upload?name=a.jsonl&name=b.jsonl`)).toMatchObject({ status: 400, code: 'invalid_query_param', details: { param: 'name', reason: 'repeated' } });
  });

  it('refuses a parameter the route does not read, on every evaluation route', async () => {
    const routes: Array<[string, string]> = [
      ['GET', `/api/scenarios/${scenarioId}/eval-sets`],
      ['GET', `/api/scenarios/${scenarioId}/eval-sets/targets`],
      ['GET', `/api/eval-sets/${setId}/revisions`],
      ['GET', `/api/eval-sets/${setId}/revisions/1`],
      ['GET', `/api/scenarios/${scenarioId}/eval-runs`],
      ['GET', `/api/eval-runs/nope`],
      ['GET', `/api/eval-runs/nope/cases`],
      ['POST', `/api/eval-sets/${setId}/promote`],
      ['PUT', `/api/eval-sets/${setId}/cases/a`],
      ['DELETE', `/api/eval-sets/${setId}/cases/a`],
    ];
    for (const [method, url] of routes) {
      expect(await refusal(method, `${url}?extra=1`, method === 'GET' || method === 'DELETE' ? undefined : {}), `${method} ${url}`).toMatchObject({ status: 400, code: 'invalid_query_param', details: { param: 'extra', reason: 'unknown' } });
    }
    // Nothing changed: the case is still there at revision 1.
    expect((await call(base(), 'GET', `/api/eval-sets/${setId}`)).json).toMatchObject({ revision: 1, cases: 1 });
  });

  it('refuses malformed values naming the parameter, and reads well-formed ones', async () => {
    expect(await refusal('GET', `/api/eval-sets/${setId}?revision=abc`)).toMatchObject({ status: 400, code: 'invalid_revision', details: { param: 'revision' } });
    const preview = (rows: string) => fetch(`${base()}/api/scenarios/${scenarioId}/eval-sets/preview?rows=${rows}`, { method: 'POST', body: 'transcript\n你好\n', headers: { ...authHeaders(base()), 'content-type': 'text/csv' } });
    for (const bad of ['abc', '0', '999', '-1']) {
      const res = await preview(bad);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: 'invalid_query_param', details: { param: 'rows', reason: 'not_whole_number', min: 1, max: 50 } });
    }
    expect((await preview('2')).status).toBe(200);
    expect((await call(base(), 'GET', `/api/eval-sets/${setId}?revision=0`)).json).toMatchObject({ shown_revision: 0 });
  });
});
