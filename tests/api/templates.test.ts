import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema, ScenarioSummarySchema } from '@shared/api.js';
import {
  ImportScenarioReplySchema,
  ImportTemplateReplySchema,
  ScenarioTemplateStatusSchema,
  TemplateDetailSchema,
  TemplateDiffReplySchema,
  TemplateSummarySchema,
  TemplateUpdateReplySchema,
  TemplateVersionDetailSchema,
} from '@shared/template-api.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { listBuiltinTemplates } from '../../server/src/templates/builtin.js';
import { call, echoGraph, removeDir, startTestServer, tempDir } from './helpers.js';

const WithTemplate = ScenarioSchema.extend({ template: ScenarioTemplateStatusSchema.nullable() });
const SummaryWithTemplate = ScenarioSummarySchema.extend({ template: ScenarioTemplateStatusSchema.nullable() });

let dir: string;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  dir = tempDir('mofang-templates-');
  server = await startTestServer(dir);
  base = server.url;
});
afterAll(async () => {
  await server.close();
  removeDir(dir);
});

async function createScenario(name: string, graph = echoGraph(name)) {
  const r = await call(base, 'POST', '/api/scenarios', { name, graph });
  expect(r.status).toBe(201);
  return ScenarioSchema.parse(r.json);
}

async function getScenario(id: string) {
  const r = await call(base, 'GET', `/api/scenarios/${id}`);
  expect(r.status).toBe(200);
  return WithTemplate.parse(r.json);
}

describe('built-in templates', () => {
  it('are synced into the store at start: one entry per folder at its version, with a preview', async () => {
    const r = await call(base, 'GET', '/api/templates');
    expect(r.status).toBe(200);
    const list = TemplateSummarySchema.array().parse(r.json);
    const folders = listBuiltinTemplates();
    expect(list.map((t) => t.id).sort()).toEqual(folders.map((f) => f.meta.id).sort());
    const audit = list.find((t) => t.id === 'call-quality-audit');
    expect(audit).toMatchObject({ category: 'quality', name: { zh: '通话质检' }, version: '1.0.0', source: 'builtin' });
    expect(audit?.preview.nodes.length).toBe(audit?.node_count);
    expect(audit?.preview.edges.length).toBeGreaterThan(0);
  });

  it('gives a version with its graph and samples, and its history', async () => {
    const v = await call(base, 'GET', '/api/templates/call-quality-audit/versions/1.0.0');
    expect(v.status).toBe(200);
    const detail = TemplateVersionDetailSchema.parse(v.json);
    expect(detail.samples.map((s) => s.id)).toEqual(['good-call', 'red-line', 'repair-delay']);
    expect(detail.graph.nodes.some((n) => n.kind === 'audit')).toBe(true);
    const h = TemplateDetailSchema.parse((await call(base, 'GET', '/api/templates/call-quality-audit')).json);
    expect(h.versions).toEqual([expect.objectContaining({ version: '1.0.0', created_by: 'builtin', deprecated: false, notes: expect.stringContaining('first release') })]);
    expect((await call(base, 'GET', '/api/templates/nope')).status).toBe(404);
    expect((await call(base, 'GET', '/api/templates/call-quality-audit/versions/9.9.9')).status).toBe(404);
    expect((await call(base, 'GET', '/api/templates/call-quality-audit/versions/latest')).status).toBe(400);
  });

  it('"use" creates a draft that remembers the template version', async () => {
    const r = await call(base, 'POST', '/api/templates/call-quality-audit/use', { name: '我的质检' });
    expect(r.status).toBe(201);
    const s = WithTemplate.parse(r.json);
    expect(s.name).toBe('我的质检');
    expect(s.template).toEqual({ id: 'call-quality-audit', version: '1.0.0', latest: '1.0.0', update_available: false });
    const folder = listBuiltinTemplates().find((f) => f.meta.id === 'call-quality-audit');
    expect(s.graph.nodes.map((n) => n.id)).toEqual(folder?.graph.nodes.map((n) => n.id));
    expect((await getScenario(s.id)).template?.id).toBe('call-quality-audit');
  });

  it('"use" without a name never repeats a scenario\'s name: the second 通话质检 is 通话质检 2', async () => {
    const first = WithTemplate.parse((await call(base, 'POST', '/api/templates/call-quality-audit/use', {})).json);
    const second = WithTemplate.parse((await call(base, 'POST', '/api/templates/call-quality-audit/use', {})).json);
    expect(first.name).toBe('通话质检');
    expect(second.name).toBe('通话质检 2');
  });
});

describe('admin template versioning', () => {
  let sourceId = '';
  let userId = '';

  it('saves a scenario as a new template at 1.0.0, and a designer uses it', async () => {
    const source = await createScenario('回访话术');
    sourceId = source.id;
    const r = await call(base, 'POST', '/api/templates', {
      scenario_id: source.id,
      id: 'callback-script',
      name: { zh: '回访话术', en: 'Callback script' },
      description: { zh: '回访客户的话术建议', en: 'What to say when calling a customer back' },
      category: 'assist',
      notes: '首个版本',
      by: 'admin-li',
    });
    expect(r.status).toBe(201);
    expect(TemplateVersionDetailSchema.parse(r.json)).toMatchObject({ template_id: 'callback-script', version: '1.0.0', created_by: 'admin', source: 'admin' });
    const again = await call(base, 'POST', '/api/templates', { scenario_id: source.id, id: 'callback-script', name: { zh: 'x', en: 'x' }, description: { zh: 'x', en: 'x' }, category: 'assist', notes: 'x' });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'template_exists' } });

    const used = WithTemplate.parse((await call(base, 'POST', '/api/templates/callback-script/use', {})).json);
    userId = used.id;
    expect(used.template).toMatchObject({ version: '1.0.0', update_available: false });
  });

  it('ships 1.1.0 with a changelog; the scenario made from 1.0.0 says an update exists', async () => {
    await call(base, 'PUT', `/api/scenarios/${sourceId}`, { graph: { ...echoGraph('回访话术'), nodes: echoGraph().nodes.map((n) => (n.id === 'llm_1' ? { ...n, config: { ...n.config, system: '你是回访专员。' } } : n)) } });
    const r = await call(base, 'POST', '/api/templates/callback-script/versions', { scenario_id: sourceId, bump: 'minor', notes: '提示词更礼貌' });
    expect(r.status).toBe(201);
    const v = TemplateVersionDetailSchema.parse(r.json);
    expect(v.version).toBe('1.1.0');
    expect(v.meta.changelog.map((c) => c.version)).toEqual(['1.0.0', '1.1.0']);

    const user = await getScenario(userId);
    expect(user.template).toEqual({ id: 'callback-script', version: '1.0.0', latest: '1.1.0', update_available: true });
    const list = SummaryWithTemplate.array().parse((await call(base, 'GET', '/api/scenarios')).json);
    expect(list.find((s) => s.id === userId)?.template?.update_available).toBe(true);
    expect(list.find((s) => s.id === sourceId)?.template).toMatchObject({ version: '1.1.0', update_available: false });
    const status = await call(base, 'GET', `/api/scenarios/${userId}/template-status`);
    expect(status.json).toMatchObject({ latest: '1.1.0', update_available: true });

    const detail = TemplateDetailSchema.parse((await call(base, 'GET', '/api/templates/callback-script')).json);
    expect(detail.versions.map((x) => [x.version, x.notes])).toEqual([['1.1.0', '提示词更礼貌'], ['1.0.0', '首个版本']]);
  });

  it('refuses a version that does not increase (409), and a body with both bump and version (400)', async () => {
    for (const version of ['1.1.0', '1.0.5']) {
      const r = await call(base, 'POST', '/api/templates/callback-script/versions', { scenario_id: sourceId, version, notes: 'x' });
      expect(r.status).toBe(409);
      expect(r.json).toMatchObject({ error: { code: 'version_not_increasing', details: { newest: '1.1.0' } } });
    }
    const both = await call(base, 'POST', '/api/templates/callback-script/versions', { scenario_id: sourceId, version: '2.0.0', bump: 'major', notes: 'x' });
    expect(both.status).toBe(400);
  });

  it('diffs two versions (the changed prompt, positions ignored)', async () => {
    const r = await call(base, 'GET', '/api/templates/callback-script/diff?from=1.0.0&to=1.1.0');
    expect(r.status).toBe(200);
    const d = TemplateDiffReplySchema.parse(r.json);
    expect(d.diff.nodes.changed).toEqual([{ id: 'llm_1', fields: [{ path: 'config.system', before: '你是电信客服助手。', after: '你是回访专员。' }] }]);
    expect(d.diff.nodes.added).toEqual([]);
    expect((await call(base, 'GET', '/api/templates/callback-script/diff?from=1.0.0')).status).toBe(400);
  });

  it('rebases the draft onto the latest version, returning the old graph for undo', async () => {
    const before = await getScenario(userId);
    const r = await call(base, 'POST', `/api/scenarios/${userId}/template-update`);
    expect(r.status).toBe(200);
    const reply = TemplateUpdateReplySchema.parse(r.json);
    expect(reply).toMatchObject({ from_version: '1.0.0', to_version: '1.1.0' });
    expect(reply.previous_graph).toEqual(before.graph);
    const after = await getScenario(userId);
    expect(after.name).toBe(before.name);
    expect(after.template).toMatchObject({ version: '1.1.0', update_available: false });
    expect(after.graph.nodes.find((n) => n.id === 'llm_1')?.config.system).toBe('你是回访专员。');
    expect((await call(base, 'POST', `/api/scenarios/${userId}/template-update`)).json).toMatchObject({ error: { code: 'up_to_date' } });
  });

  it('deprecates a version: it leaves the gallery default and "latest"; undeprecate brings it back', async () => {
    const r = await call(base, 'POST', '/api/templates/callback-script/versions/1.1.0/deprecate', {});
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ version: '1.1.0', deprecated: true });
    const list = TemplateSummarySchema.array().parse((await call(base, 'GET', '/api/templates')).json);
    expect(list.find((t) => t.id === 'callback-script')?.version).toBe('1.0.0');
    expect((await call(base, 'POST', '/api/templates/callback-script/use', { version: '1.1.0' })).status).toBe(409);
    const undo = await call(base, 'POST', '/api/templates/callback-script/versions/1.1.0/undeprecate', {});
    expect(undo.json).toMatchObject({ deprecated: false, deprecated_at: null });
  });
});

describe('import and export', () => {
  it('a scenario file round trip is byte-for-byte lossless, and keeps the template link', async () => {
    const used = WithTemplate.parse((await call(base, 'POST', '/api/templates/complaint-risk/use', {})).json);
    const first = await call(base, 'GET', `/api/scenarios/${used.id}/export`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toContain('.scenario.json');
    expect(first.json).toMatchObject({ format: 'mofang.scenario/v1', template: { id: 'complaint-risk', version: '1.0.1' } });
    const imported = ImportScenarioReplySchema.parse((await call(base, 'POST', '/api/scenarios/import', first.text)).json);
    expect(imported).toMatchObject({ from: 'scenario-file', template: { id: 'complaint-risk', version: '1.0.1' }, warnings: [] });
    const second = await call(base, 'GET', `/api/scenarios/${imported.scenario_id}/export`);
    expect(second.text).toBe(first.text);
  });

  it('imports a bare graph as a scenario', async () => {
    const r = await call(base, 'POST', '/api/scenarios/import', echoGraph('裸图'));
    expect(r.status).toBe(201);
    expect(ImportScenarioReplySchema.parse(r.json)).toMatchObject({ from: 'graph', name: '裸图', template: null });
  });

  it('a template file round trip through a second store is lossless; importing it again is a 409', async () => {
    const first = await call(base, 'GET', '/api/templates/callback-script/export?version=1.1.0');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ format: 'mofang.template/v1', meta: { id: 'callback-script', version: '1.1.0' } });
    const otherDir = tempDir('mofang-templates-b-');
    const other = await startTestServer(otherDir);
    try {
      const imported = await call(other.url, 'POST', '/api/templates/import', first.text);
      expect(imported.status).toBe(201);
      expect(ImportTemplateReplySchema.parse(imported.json)).toEqual({ kind: 'template', created: 'template', template_id: 'callback-script', version: '1.1.0' });
      const second = await call(other.url, 'GET', '/api/templates/callback-script/export?version=1.1.0');
      expect(second.text).toBe(first.text);
    } finally {
      await other.close();
      removeDir(otherDir);
    }
    // A built-in with its samples survives too; the same version again is refused.
    const builtin = await call(base, 'GET', '/api/templates/call-quality-audit/export');
    expect(builtin.json).toMatchObject({ samples: expect.arrayContaining([expect.objectContaining({ id: 'good-call' })]) });
    const dup = await call(base, 'POST', '/api/templates/import', builtin.text);
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ error: { code: 'version_not_increasing' } });
  });

  it('imports a template file with a higher version as a new version', async () => {
    const file = (await call(base, 'GET', '/api/templates/intent-routing/export')).json;
    expect(file).toMatchObject({ meta: { version: '1.0.0' } });
    const meta = { ...Object(file).meta, version: '1.0.1', changelog: [...Object(file).meta.changelog, { version: '1.0.1', date: '2026-12-01', notes: '修正' }] };
    const r = await call(base, 'POST', '/api/templates/import', { ...Object(file), meta });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ created: 'version', version: '1.0.1' });
  });

  it('bad files are a 400 that says what is wrong', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/api/scenarios/import', [1, 2], /not a JSON object/],
      ['/api/scenarios/import', { hello: 'world' }, /expected "format": "mofang\.scenario\/v1"/],
      ['/api/scenarios/import', { format: 'mofang.scenario/v9' }, /"format" is "mofang\.scenario\/v9"/],
      ['/api/scenarios/import', { format: 'mofang.scenario/v1', name: 'x', description: '', graph: { schema: 'mofang.graph/v1', name: 'x', nodes: [{ id: '1bad' }], edges: [] } }, /at "graph\.nodes\.0\./],
      ['/api/scenarios/import', { format: 'mofang.template/v1' }, /template file/],
      ['/api/templates/import', echoGraph(), /not a template file/],
      ['/api/templates/import', { format: 'mofang.template/v1', graph: echoGraph() }, /at "meta"/],
    ];
    for (const [url, body, message] of cases) {
      const r = await call(base, 'POST', url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json).toMatchObject({ error: { code: 'invalid_file', message: expect.stringMatching(message) } });
    }
    expect((await call(base, 'POST', '/api/scenarios/import', '{not json')).json).toMatchObject({ error: { code: 'invalid_json' } });
  });
});
