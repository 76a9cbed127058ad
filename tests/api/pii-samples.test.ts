/**
 * A scenario's sample inputs (what a designer typed in the Run panel, saved in `graph.inputs` and copied
 * into each published version) hold customers' data: the public OpenAPI documents and docs page never
 * show them, and `/api` shows them masked to users without `pii:read`, whose saves keep the stored value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '@shared/api.js';
import { VersionDetailSchema } from '@shared/publish.js';
import { call, echoGraph, removeDir, signInAs, startTestServer, tempDir, type TestServer, type TestSession } from './helpers.js';

const PHONE = '13812345678';
const ID = '110101199003074514';
const TRANSCRIPT = `坐席：您好。\n客户：我电话 ${PHONE}，身份证 ${ID}，住北京市朝阳区望京西园三区 305 号楼 1203 室。`;
const MASKED = '坐席：您好。\n客户：我电话 138****5678，身份证 110***********4514，住北京市朝阳区****。';

let dir: string;
let server: TestServer;
let id: string;
let designer: TestSession;
let viewer: TestSession;
let inspector: TestSession;

beforeAll(async () => {
  dir = tempDir('mofang-pii-samples-');
  server = await startTestServer(dir);
  const created = await call(server.url, 'POST', '/api/scenarios', { name: 'echo2', graph: { ...echoGraph('echo2'), inputs: { transcript: TRANSCRIPT } } });
  expect(created.status).toBe(201);
  id = ScenarioSchema.parse(created.json).id;
  expect((await call(server.url, 'POST', `/api/scenarios/${id}/publish`, { slug: 'echo2', note: 'first' })).status).toBe(201);
  [designer, viewer, inspector] = [await signInAs(server.url, 'designer'), await signInAs(server.url, 'viewer'), await signInAs(server.url, 'inspector')];
});
afterAll(async () => {
  await server.close();
  removeDir(dir);
});

describe('public documents', () => {
  it('the OpenAPI documents and /docs carry no sample input, only an example made from the schema', async () => {
    for (const url of ['/v1/scenarios/echo2/openapi.json', '/v1/scenarios/echo2/openapi.json?version=1', '/v1/openapi.json', '/docs']) {
      const res = await call(server.url, 'GET', url, undefined, {}, { as: null });
      expect(res.status, url).toBe(200);
      for (const secret of [PHONE, ID, '望京西园', '138****5678']) expect(res.text, `${url} shows ${secret}`).not.toContain(secret);
    }
    const doc = await call(server.url, 'GET', '/v1/scenarios/echo2/openapi.json', undefined, {}, { as: null });
    expect(doc.text).toContain('宽带'); // the made-up example call
  });
});

describe('/api replies', () => {
  it('mask the sample inputs of the draft, a version and the export for a designer and a viewer, not an inspector', async () => {
    for (const as of [designer, viewer]) {
      const draft = await call(server.url, 'GET', `/api/scenarios/${id}`, undefined, {}, { as });
      expect(ScenarioSchema.parse(draft.json).graph.inputs).toEqual({ transcript: MASKED });
      const version = await call(server.url, 'GET', `/api/scenarios/${id}/versions/1`, undefined, {}, { as });
      expect(VersionDetailSchema.parse(version.json).graph.inputs).toEqual({ transcript: MASKED });
      const exported = await call(server.url, 'GET', `/api/scenarios/${id}/export`, undefined, {}, { as });
      expect(exported.status).toBe(200);
      for (const text of [draft.text, version.text, exported.text]) expect(text).not.toContain(PHONE);
    }
    const full = await call(server.url, 'GET', `/api/scenarios/${id}`, undefined, {}, { as: inspector });
    expect(ScenarioSchema.parse(full.json).graph.inputs).toEqual({ transcript: TRANSCRIPT });
    expect((await call(server.url, 'GET', `/api/scenarios/${id}/export`, undefined, {}, { as: inspector })).text).toContain(PHONE);
  });

  it("a designer's save of the masked samples keeps the stored ones; an edited sample replaces them; a conflict reply is masked", async () => {
    const seen = ScenarioSchema.parse((await call(server.url, 'GET', `/api/scenarios/${id}`, undefined, {}, { as: designer })).json);
    const saved = await call(server.url, 'PUT', `/api/scenarios/${id}`, { graph: { ...seen.graph, name: 'echo2 renamed' }, revision: seen.revision }, {}, { as: designer });
    expect(saved.status).toBe(200);
    expect(ScenarioSchema.parse(saved.json).graph.inputs).toEqual({ transcript: MASKED });
    const stored = ScenarioSchema.parse((await call(server.url, 'GET', `/api/scenarios/${id}`)).json);
    expect(stored.graph).toMatchObject({ name: 'echo2 renamed', inputs: { transcript: TRANSCRIPT } });

    const stale = await call(server.url, 'PUT', `/api/scenarios/${id}`, { graph: seen.graph, revision: seen.revision }, {}, { as: designer });
    expect(stale.status).toBe(409);
    expect(stale.text).not.toContain(PHONE);

    const edited = { transcript: '客户：宽带又断了，电话 139****5678' };
    const put = await call(server.url, 'PUT', `/api/scenarios/${id}`, { graph: { ...seen.graph, inputs: edited }, revision: stored.revision }, {}, { as: designer });
    expect(put.status).toBe(200);
    expect(ScenarioSchema.parse((await call(server.url, 'GET', `/api/scenarios/${id}`)).json).graph.inputs).toEqual(edited);
  });

  it('a template made from the scenario shows its sample inputs masked to a viewer, in the version and its export, and so does using it', async () => {
    const current = ScenarioSchema.parse((await call(server.url, 'GET', `/api/scenarios/${id}`)).json);
    expect((await call(server.url, 'PUT', `/api/scenarios/${id}`, { graph: { ...current.graph, inputs: { transcript: TRANSCRIPT } }, revision: current.revision })).status).toBe(200);
    const made = await call(server.url, 'POST', '/api/templates', { scenario_id: id, id: 'echo-tpl', name: { zh: '回声', en: 'Echo' }, description: { zh: 'x', en: 'x' }, category: 'assist', notes: 'from echo2' });
    expect(made.status).toBe(201);
    const version = await call(server.url, 'GET', '/api/templates/echo-tpl/versions/1.0.0', undefined, {}, { as: viewer });
    expect(version.status).toBe(200);
    const exported = await call(server.url, 'GET', '/api/templates/echo-tpl/export', undefined, {}, { as: viewer });
    const used = await call(server.url, 'POST', '/api/templates/echo-tpl/use', {}, {}, { as: designer });
    expect(used.status).toBe(201);
    for (const text of [version.text, exported.text, used.text]) expect(text).not.toContain(PHONE);
    expect((await call(server.url, 'GET', '/api/templates/echo-tpl/versions/1.0.0', undefined, {}, { as: inspector })).text).toContain(PHONE);
  });
});
