/**
 * The publish gate over real HTTP (issue 14 part 4): an admin sets a gate on a scenario made from the
 * complaint-risk template (warn.accuracy ≥ 0.7 on a 4-case set, and at most 0.1 below the live version);
 * a scripted model endpoint answers so the accuracy is exact. The first publish evaluates the draft
 * (202 while it runs), then passes; a changed draft that scores worse is refused with the numbers and its
 * worst cases (those the live version got right first); a designer cannot override, an admin can with a
 * note that the version and the audit log keep. Also: gate validation, permissions, the set protected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalSetSummarySchema } from '@shared/evaluation.js';
import { GateCheckSchema, PublishGateStateSchema, type GateCheck } from '@shared/publish-gate.js';
import { PublishReplySchema, VersionSummarySchema } from '@shared/publish.js';
import type { MockOpenAI } from '../../server/src/model/mock-openai.testing.js';
import { answerAll, startRiskHarness } from './eval-kit.js';
import { call, signInAs, type TestSession } from './helpers.js';
import type { V1Harness } from './v1-helpers.js';

let mock: MockOpenAI;
let h: V1Harness;
let designer: TestSession;
let viewer: TestSession;
let scenarioId: string;
let setId: string;
const base = () => h.server.url;

beforeAll(async () => {
  ({ mock, h, scenarioId, setId } = await startRiskHarness('投诉风险 发布门槛', 'gate'));
  designer = await signInAs(base(), 'designer');
  viewer = await signInAs(base(), 'viewer');
});
afterAll(async () => {
  await h?.close();
  await mock?.close();
});

/** Reads the gate check (starting nothing) until no run it needs is under way. */
async function settled(): Promise<GateCheck> {
  for (let i = 0; i < 300; i += 1) {
    const check = GateCheckSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/publish-gate/check`)).json);
    if (check.status !== 'evaluating') return check;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the gate check did not settle');
}

/** Changes the judge's system prompt, so the draft compiles to another plan. */
async function editDraft(suffix: string): Promise<void> {
  const scenario = (await call(base(), 'GET', `/api/scenarios/${scenarioId}`)).json as { graph: { nodes: Array<{ id: string; config: Record<string, unknown> }> }; revision: number };
  const nodes = scenario.graph.nodes.map((n) => (n.id === 'judge' ? { ...n, config: { ...n.config, system: `${String(n.config.system)}${suffix}` } } : n));
  const saved = await call(base(), 'PUT', `/api/scenarios/${scenarioId}`, { graph: { ...scenario.graph, nodes }, revision: scenario.revision });
  expect(saved.status, saved.text).toBe(200);
}

describe('the publish gate', () => {
  it('is set by admins only, on a metric the draft gives and a set of the scenario', async () => {
    const empty = PublishGateStateSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/publish-gate`)).json);
    expect(empty.gate).toBeNull();
    expect(empty.metrics).toContain('warn.accuracy');
    const url = `/api/scenarios/${scenarioId}/publish-gate`;
    const byDesigner = await call(base(), 'PUT', url, { set_id: setId, metric: 'warn.accuracy', min: 0.7 }, {}, { as: designer });
    expect(byDesigner.status).toBe(403);
    const unknown = await call(base(), 'PUT', url, { set_id: setId, metric: 'warn.nonsense', min: 0.7 });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: { code: 'unknown_metric' } });
    const noBar = await call(base(), 'PUT', url, { set_id: setId, metric: 'warn.accuracy' });
    expect(noBar.status).toBe(400);
    expect(JSON.stringify(noBar.json)).toContain('gate_needs_bar');
    // Names the draft cannot give: a class a boolean output does not have, an error metric behind a key.
    for (const [metric, code] of [['warn.precision[xyz]', 'unknown_metric'], ['warn.accuracy[true]', 'unknown_metric'], ['warn.mae[x]', 'bar_direction']]) {
      const refused = await call(base(), 'PUT', url, { set_id: setId, metric, min: 0.5 });
      expect([metric, refused.status, (refused.json as { error: { code: string } }).error.code]).toEqual([metric, 400, code]);
    }
    expect((await call(base(), 'PUT', url, { set_id: setId, metric: 'warn.precision[true]', min: 0.5 })).status).toBe(200);
    // Bars no value can meet or that mean nothing; an output no case expects; an empty set.
    for (const bar of [{ min: 1.5 }, { min: -5 }, { max_drop: 3 }]) {
      const refused = await call(base(), 'PUT', url, { set_id: setId, metric: 'warn.accuracy', ...bar });
      expect(refused.json, JSON.stringify(bar)).toMatchObject({ error: { code: 'gate_out_of_range' } });
    }
    expect((await call(base(), 'PUT', url, { set_id: setId, metric: 'warn.kappa', min: -0.5 })).status).toBe(200);
    const notExpected = await call(base(), 'PUT', url, { set_id: setId, metric: 'risk_level.accuracy', min: 0.5 });
    expect(notExpected.json).toMatchObject({ error: { code: 'gate_output_not_in_set', details: { output: 'risk_level' } } });
    const emptySet = EvalSetSummarySchema.parse((await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: 'empty' })).json);
    const onEmpty = await call(base(), 'PUT', url, { set_id: emptySet.id, metric: 'warn.accuracy', min: 0.5 });
    expect(onEmpty.json).toMatchObject({ error: { code: 'empty_eval_set' } });
    const noSet = await call(base(), 'PUT', url, { set_id: 'nope', metric: 'warn.accuracy', min: 0.7 });
    expect(noSet.status).toBe(404);
    expect(noSet.json).toMatchObject({ error: { code: 'unknown_eval_set' } });
    const set = await call(base(), 'PUT', url, { set_id: setId, metric: 'warn.accuracy', min: 0.7, max_drop: 0.1 });
    expect(set.status, set.text).toBe(200);
    expect(PublishGateStateSchema.parse(set.json)).toMatchObject({ gate: { set_id: setId, metric: 'warn.accuracy', min: 0.7, max_drop: 0.1 }, set_name: 'gate' });
    // The gate's set cannot be deleted from under it.
    const del = await call(base(), 'DELETE', `/api/eval-sets/${setId}`);
    expect(del.status).toBe(409);
    expect(del.json).toMatchObject({ error: { code: 'eval_set_is_gate' } });
  });

  it('evaluates the draft before the first publish, then publishes it with the gate passed', async () => {
    answerAll(mock, 'low');
    const first = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'gated-risk', note: 'v1' }, {}, { as: designer });
    expect(first.status, first.text).toBe(202);
    expect(first.json).toMatchObject({ status: 'evaluating', gate: { status: 'evaluating', draft: { version: null, total: 4 }, live: null } });
    const check = await settled();
    expect(check).toMatchObject({ status: 'passed', draft: { status: 'completed', value: 0.75 }, failures: [] });
    const published = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'gated-risk', note: 'v1' }, {}, { as: designer });
    expect(published.status, published.text).toBe(201);
    expect(PublishReplySchema.parse(published.json)).toMatchObject({ version: 1, gate: { status: 'passed', metric: 'warn.accuracy', value: 0.75, min: 0.7 } });
  });

  it('refuses a draft below the gate with the numbers and the cases it now gets wrong', async () => {
    await editDraft('（第二版）');
    answerAll(mock, 'high');
    const started = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { note: 'v2' }, {}, { as: designer });
    expect(started.status, started.text).toBe(202);
    // The live version's run on this revision is reused: only the draft runs.
    expect(started.json).toMatchObject({ gate: { live: { version: 1, status: 'completed', value: 0.75 }, draft: { status: expect.stringMatching(/queued|running/) } } });
    await settled();
    const refused = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { note: 'v2' }, {}, { as: designer });
    expect(refused.status, refused.text).toBe(422);
    const error = (refused.json as { error: { code: string; message: string; details: { gate: unknown } } }).error;
    expect(error.code).toBe('gate_failed');
    expect(error.message).toContain('warn.accuracy is 0.5 < the minimum 0.7');
    const gate = GateCheckSchema.parse(error.details.gate);
    expect(gate.failures.map((f) => [f.rule, f.value, f.live_value])).toEqual([
      ['min', 0.5, 0.75],
      ['max_drop', 0.5, 0.75],
    ]);
    expect(gate.failures[1]?.drop).toBeCloseTo(0.25);
    expect(gate.worst_cases.map((c) => [c.id, c.regressed, c.expected, c.actual])).toEqual([
      ['b', true, false, true],
      ['d', true, false, true],
    ]);
    expect(gate.compare).toEqual({ a: gate.live?.run_id, b: gate.draft?.run_id });
    // A viewer may read the gate's state, not the cases' values (they need eval:read).
    const byViewer = GateCheckSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/publish-gate/check`, undefined, {}, { as: viewer })).json);
    expect(byViewer).toMatchObject({ status: 'failed', worst_cases: [] });
    const versions = (await call(base(), 'GET', `/api/scenarios/${scenarioId}/versions`)).json as unknown[];
    expect(versions).toHaveLength(1);
  });

  it('lets an admin, not a designer, publish past the gate with a note kept in the version and the audit log', async () => {
    const byDesigner = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { note: 'v2', override_gate: { note: '紧急修复' } }, {}, { as: designer });
    expect(byDesigner.status).toBe(403);
    const empty = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { note: 'v2', override_gate: { note: '  ' } });
    expect(empty.status).toBe(400);
    const overridden = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { note: 'v2', override_gate: { note: '线上投诉激增，先上线再补评测' } });
    expect(overridden.status, overridden.text).toBe(201);
    expect(PublishReplySchema.parse(overridden.json)).toMatchObject({ version: 2, gate: { status: 'overridden', check_status: 'failed', value: 0.5, live_value: 0.75, override_note: '线上投诉激增，先上线再补评测' } });
    const versions = ((await call(base(), 'GET', `/api/scenarios/${scenarioId}/versions`)).json as unknown[]).map((v) => VersionSummarySchema.parse(v));
    expect(versions.map((v) => [v.version, v.gate?.status])).toEqual([
      [2, 'overridden'],
      [1, 'passed'],
    ]);
    const audit = (await call(base(), 'GET', `/api/audit?action=scenario.publish&target_id=${scenarioId}`)).json as { entries: Array<{ details: Record<string, unknown> }> };
    expect(audit.entries[0]?.details).toMatchObject({ version: 2, gate: 'overridden', gate_check: 'failed', override_note: '线上投诉激增，先上线再补评测' });
    // Every change of the gate is logged: the two accepted in the validation test, then the one in force.
    const gateSet = (await call(base(), 'GET', `/api/audit?action=scenario.gate_set&target_id=${scenarioId}`)).json as { entries: Array<{ details: Record<string, unknown> }> };
    expect(gateSet.entries.map((e) => e.details.metric)).toEqual(['warn.accuracy', 'warn.kappa', 'warn.precision[true]']);
  });

  it('is removed by an admin, after which publishing evaluates nothing', async () => {
    const removed = await call(base(), 'DELETE', `/api/scenarios/${scenarioId}/publish-gate`);
    expect(removed.status).toBe(204);
    await editDraft('（第三版）');
    expect(GateCheckSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/publish-gate/check`)).json).status).toBe('no_gate');
    // Without a gate an override is nothing to refuse, whoever sends it.
    const published = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { note: 'v3', override_gate: { note: '无门槛' } }, {}, { as: designer });
    expect(published.status, published.text).toBe(201);
    expect(PublishReplySchema.parse(published.json).gate).toBeUndefined();
  });
});
