/**
 * Human review over real HTTP (issue 14 part 5): rules checked against the live version's outputs with
 * coded refusals; results chosen from `/v1` runs (with `review_url`) and from a batch job's items; the
 * queue with filters and counts; confirm and correct, each a case of the 人工复核 set as a new revision;
 * a second decision refused unless re-decided; export; audit entries; permissions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalSetDetailSchema, EvalSetListSchema } from '@shared/evaluation.js';
import { ReviewDecisionReplySchema, ReviewItemDetailSchema, ReviewListSchema, ReviewRulesReplySchema, REVIEW_SET_NAME } from '@shared/review.js';
import { call, signInAs, type TestSession } from './helpers.js';
import { waitForJob } from './jobs-helpers.js';
import { reviewGraph, reviewInputs } from './review-fixture.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let scenarioId: string;
let key: string;
let viewer: TestSession;
let inspector: TestSession;
let designer: TestSession;
const base = () => h.server.url;

const RULES = {
  rules: [
    { kind: 'low_confidence', output: 'confidence', below: 0.6 },
    { kind: 'red_line', output: 'fatal' },
    { kind: 'disagreement', outputs: ['model_level', 'rule_level'] },
  ],
  outputs: ['form', 'model_level'],
};

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('review-desk', reviewGraph())).scenarioId;
  key = (await h.key()).key;
  viewer = await signInAs(base(), 'viewer');
  inspector = await signInAs(base(), 'inspector', 'qc-wang');
  designer = await signInAs(base(), 'designer');
});
afterAll(() => h.close());

const putRules = (body: unknown, as?: TestSession) => call(base(), 'PUT', `/api/scenarios/${scenarioId}/review-rules`, body, {}, as ? { as } : {});
const list = async (query: string, as?: TestSession) => {
  const res = await call(base(), 'GET', `/api/review/items?${query}`, undefined, {}, as ? { as } : {});
  expect(res.status, res.text).toBe(200);
  return ReviewListSchema.parse(res.json);
};
const runV1 = (conf: number, a: string, b: string) => h.v1('POST', '/v1/scenarios/review-desk/run', key, { inputs: reviewInputs(conf, a, b) });

describe('review rules', () => {
  it('refuses rules that do not fit the live version, with a code and the path', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ rules: [{ kind: 'red_line', output: 'nope' }] }, 'unknown_review_output', 'rules.0.output'],
      [{ rules: [{ kind: 'low_confidence', output: 'model_level', below: 0.5 }] }, 'review_output_not_number', 'rules.0.output'],
      [{ rules: [{ kind: 'red_line', output: 'confidence' }] }, 'review_output_not_audit', 'rules.0.output'],
      [{ rules: [{ kind: 'disagreement', outputs: ['form', 'form'] }] }, 'review_outputs_same', 'rules.0.outputs'],
      [{ rules: [], outputs: ['ghost'] }, 'unknown_review_output', 'outputs.0'],
      [{ rules: [], set_id: 'no-such-set' }, 'unknown_eval_set', 'set_id'],
    ];
    for (const [body, code, path] of cases) {
      const res = await putRules(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toMatchObject({ error: { code, details: { path } } });
    }
    expect((await putRules({ rules: [{ kind: 'low_confidence', output: 'confidence', below: 2 }] })).json).toMatchObject({ error: { code: 'invalid_body' } });
  });

  it('stores rules for designers and admins, shows them to inspectors, and refuses inspectors and viewers changing or reading them as the matrix says', async () => {
    expect((await putRules(RULES, inspector)).status).toBe(403);
    const saved = await putRules(RULES, designer);
    expect(saved.status, saved.text).toBe(200);
    const read = ReviewRulesReplySchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/review-rules`, undefined, {}, { as: inspector })).json);
    expect(read).toMatchObject({ rules: RULES.rules, outputs: RULES.outputs, set_id: null, checked_against: { kind: 'live', version: 1 } });
    expect(read.available.map((o) => [o.name, o.kind])).toEqual([
      ['confidence', 'number'],
      ['model_level', 'text'],
      ['rule_level', 'text'],
      ['form', 'json'],
      ['evidence', 'json'],
      ['fatal', 'json'],
    ]);
    expect((await call(base(), 'GET', `/api/scenarios/${scenarioId}/review-rules`, undefined, {}, { as: viewer })).status).toBe(403);
    const audit = (await call(base(), 'GET', `/api/audit?action=review.rules`)).json as { entries: Array<{ action: string; target_id: string }> };
    expect(audit.entries[0]).toMatchObject({ action: 'review.rules', target_id: scenarioId });
  });
});

describe('the review queue', () => {
  let runItemId = '';
  let jobItemId = '';
  let jobId = '';

  it('queues a /v1 run its rules choose, with a review_url, and not one they do not', async () => {
    const calm = await runV1(0.9, 'low', 'low');
    expect(calm.status, calm.text).toBe(200);
    expect(calm.json).not.toHaveProperty('review_url');
    const unsure = await runV1(0.42, 'low', 'low');
    expect(unsure.status, unsure.text).toBe(200);
    const reply = unsure.json as { run_id: string; review_url: string };
    expect(reply.review_url).toMatch(new RegExp(`^${base().replace(/[.]/g, '\\.')}/#/review/[0-9a-f-]{36}$`));
    runItemId = decodeURIComponent(reply.review_url.split('/#/review/')[1] ?? '');
    const item = ReviewItemDetailSchema.parse((await call(base(), 'GET', `/api/review/items/${runItemId}`)).json);
    expect(item).toMatchObject({ status: 'pending', slug: 'review-desk', version: 1, source: { kind: 'run', run_id: reply.run_id }, reasons: [{ code: 'low_confidence', output: 'confidence', value: 0.42, threshold: 0.6 }] });
  });

  it("queues a batch job's items the rules choose, once each", async () => {
    const items = [
      { id: 'c1', inputs: reviewInputs(0.95, 'low', 'low') },
      { id: 'c2', inputs: reviewInputs(0.3, 'low', 'low') },
      { id: 'c3', inputs: reviewInputs(0.9, 'low', 'high') },
      { id: 'c4', inputs: reviewInputs(0.99, 'medium', 'medium') },
    ];
    const job = await call(base(), 'POST', `/api/scenarios/${scenarioId}/jobs`, { items }, {}, { as: inspector });
    expect(job.status, job.text).toBe(202);
    jobId = (job.json as { job_id: string }).job_id;
    await waitForJob(base(), `/api/jobs/${jobId}`, {}, 30_000);
    const page = await list(`scenario=${scenarioId}&status=pending`, inspector);
    // Items chosen in one batch share a time, so their order among themselves is not fixed.
    const itemIdOf = (i: (typeof page.items)[number]) => (i.source.kind === 'job_item' ? i.source.item_id : '');
    const fromJob = page.items.filter((i) => i.source.kind === 'job_item').sort((x, y) => itemIdOf(x).localeCompare(itemIdOf(y)));
    expect(fromJob.map((i) => [itemIdOf(i), i.reasons.map((r) => r.code)])).toEqual([
      ['c2', ['low_confidence']],
      ['c3', ['red_line', 'disagreement']],
    ]);
    expect(fromJob[1]?.reasons).toEqual([
      { code: 'red_line', output: 'fatal', items: ['abuse'] },
      { code: 'disagreement', outputs: ['model_level', 'rule_level'], value: ['low', 'high'] },
    ]);
    expect(page.counts).toEqual({ pending: 3, confirmed: 0, corrected: 0 });
    jobItemId = fromJob[1]?.id ?? '';
    expect((await list(`scenario=${scenarioId}&reason=disagreement`)).items.map((i) => i.id)).toEqual([jobItemId]);
    // Pages of one, in order, with the counts of the whole filter.
    const first = await list(`scenario=${scenarioId}&limit=1`);
    const second = await list(`scenario=${scenarioId}&limit=1&cursor=${first.next_cursor ?? ''}`);
    expect([first.items[0]?.id, second.items[0]?.id]).toEqual(page.items.slice(0, 2).map((i) => i.id));
    expect((await call(base(), 'GET', '/api/review/items?status=done')).json).toMatchObject({ error: { code: 'invalid_filter' } });
  });

  it('shows an item with its numbered turns, the form with its evidence and what is under review', async () => {
    const item = ReviewItemDetailSchema.parse((await call(base(), 'GET', `/api/review/items/${jobItemId}`, undefined, {}, { as: inspector })).json);
    expect(item.transcripts.transcript?.map((t) => [t.id, t.role])).toEqual([
      ['t1', 'agent'],
      ['t2', 'customer'],
      ['t3', 'agent'],
      ['t4', 'customer'],
    ]);
    const form = item.views.find((v) => v.name === 'form');
    expect(form).toMatchObject({ kind: 'form', reviewed: true, evidence: { phone: ['t4'] }, value: { phone: '13800138000' } });
    expect(item.views.filter((v) => v.reviewed).map((v) => v.name)).toEqual(['model_level', 'form']);
    // A designer reads it with the customer's numbers masked.
    const masked = ReviewItemDetailSchema.parse((await call(base(), 'GET', `/api/review/items/${jobItemId}`, undefined, {}, { as: designer })).json);
    expect(JSON.stringify(masked.views)).not.toContain('13800138000');
    expect((await call(base(), 'GET', `/api/review/items/${jobItemId}`, undefined, {}, { as: viewer })).status).toBe(403);
    expect((await call(base(), 'GET', '/api/review/items', undefined, {}, { as: viewer })).status).toBe(403);
  });

  it('confirms and corrects, each a case of the 人工复核 set as a new revision, with who and when', async () => {
    const confirmed = await call(base(), 'POST', `/api/review/items/${runItemId}/confirm`, {}, {}, { as: inspector });
    expect(confirmed.status, confirmed.text).toBe(200);
    const c = ReviewDecisionReplySchema.parse(confirmed.json);
    expect(c.item).toMatchObject({ status: 'confirmed', decided_by: 'qc-wang', decision: { by: 'qc-wang', changed: [], case_id: `review-${runItemId}` } });
    const sets = EvalSetListSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/eval-sets`)).json).sets;
    expect(sets.map((s) => s.name)).toEqual([REVIEW_SET_NAME]);
    expect(c).toMatchObject({ set_id: sets[0]?.id, revision: 1 });

    const wrongType = await call(base(), 'POST', `/api/review/items/${jobItemId}/correct`, { outputs: { model_level: 5 } }, {}, { as: inspector });
    expect(wrongType.json).toMatchObject({ error: { code: 'invalid_expected_value' } });
    const notReviewed = await call(base(), 'POST', `/api/review/items/${jobItemId}/correct`, { outputs: { confidence: 0.1 } }, {}, { as: inspector });
    expect(notReviewed.json).toMatchObject({ error: { code: 'not_reviewed_output', details: { allowed: ['form', 'model_level'] } } });
    expect((await call(base(), 'POST', `/api/review/items/${jobItemId}/correct`, { outputs: { model_level: 'high' } }, {}, { as: designer })).json).toMatchObject({ error: { code: 'pii_read_required' } });

    const form = { name: '张三', phone: '13900139000', address: '人民路 1 号' };
    const corrected = await call(base(), 'POST', `/api/review/items/${jobItemId}/correct`, { outputs: { model_level: 'high', form }, note: '电话听错' }, {}, { as: inspector });
    expect(corrected.status, corrected.text).toBe(200);
    expect(ReviewDecisionReplySchema.parse(corrected.json)).toMatchObject({ revision: 2, item: { status: 'corrected', decision: { changed: ['form', 'model_level'], note: '电话听错' } } });

    const set = EvalSetDetailSchema.parse((await call(base(), 'GET', `/api/eval-sets/${sets[0]?.id}`)).json);
    expect(set.revision).toBe(2);
    const byId = new Map(set.case_list.map((x) => [x.id, x]));
    expect(byId.get(`review-${runItemId}`)).toMatchObject({ source: { kind: 'review' }, expected: { model_level: 'low', form: { phone: '13800138000' } }, revision: 1 });
    expect(byId.get(`review-${jobItemId}`)).toMatchObject({ source: { kind: 'review', job_id: jobId, item_id: 'c3' }, expected: { model_level: 'high', form }, revision: 2, inputs: reviewInputs(0.9, 'low', 'high') });
    expect(Object.keys(byId.get(`review-${jobItemId}`)?.expected ?? {}).sort()).toEqual(['form', 'model_level']);
    const counts = (await list(`scenario=${scenarioId}`)).counts;
    expect(counts).toEqual({ pending: 1, confirmed: 1, corrected: 1 });
  });

  it('refuses a second decision unless it says it re-decides, which replaces the case', async () => {
    const again = await call(base(), 'POST', `/api/review/items/${runItemId}/confirm`, {}, {}, { as: inspector });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'already_decided', details: { status: 'confirmed', decided_by: 'qc-wang' } } });
    const redo = await call(base(), 'POST', `/api/review/items/${runItemId}/correct`, { outputs: { model_level: 'medium' }, redecide: true }, {}, { as: inspector });
    expect(redo.status, redo.text).toBe(200);
    expect(ReviewDecisionReplySchema.parse(redo.json)).toMatchObject({ revision: 3, item: { status: 'corrected', decision: { decisions: 2, changed: ['model_level'] } } });
    const audit = (await call(base(), 'GET', `/api/audit?action=review.decide`)).json as { entries: Array<{ actor_name: string; target_id: string; details: Record<string, unknown> }> };
    expect(audit.entries.map((e) => [e.target_id, e.details.status, e.details.redecided])).toEqual([
      [runItemId, 'corrected', true],
      [jobItemId, 'corrected', false],
      [runItemId, 'confirmed', false],
    ]);
  });

  it('exports decided items as JSONL and CSV with who, when and what changed', async () => {
    const jsonl = await fetch(`${base()}/api/review/export?scenario=${scenarioId}`, { headers: inspector.headers });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-disposition')).toMatch(/review-\d{4}-\d{2}-\d{2}\.jsonl/);
    const lines = (await jsonl.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.id, l.status, l.decided_by, l.changed])).toEqual([
      [runItemId, 'corrected', 'qc-wang', ['model_level']],
      [jobItemId, 'corrected', 'qc-wang', ['form', 'model_level']],
    ]);
    expect(lines[1]).toMatchObject({ before: { model_level: 'low' }, after: { model_level: 'high' }, note: '电话听错' });
    const csv = await (await fetch(`${base()}/api/review/export?scenario=${scenarioId}&format=csv`, { headers: inspector.headers })).text();
    const rows = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0]).toBe('id,scenario,slug,version,run_id,job_id,item_id,reasons,status,decided_by,decided_at,changed,note,before,after,set_id,case_id,revision');
    expect(rows).toHaveLength(3);
    expect(rows[2]).toContain('c3');
    expect((await call(base(), 'GET', '/api/review/export', undefined, {}, { as: viewer })).status).toBe(403);
  });

  it('queues every /v1 run under an `always` rule, for the agent desk to confirm in one click', async () => {
    expect((await putRules({ rules: [{ kind: 'always' }] })).status).toBe(200);
    const res = await runV1(0.99, 'low', 'low');
    expect((res.json as { review_url?: string }).review_url).toMatch(/\/#\/review\//);
  });

  it('never queues the cases of an evaluation run, even under `always`', async () => {
    const before = (await list(`scenario=${scenarioId}`)).counts;
    const set = EvalSetListSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/eval-sets`)).json).sets[0];
    const started = await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-runs`, { set_id: set?.id, target: { version: 1 } });
    expect(started.status, started.text).toBe(202);
    const runId = (started.json as { id: string }).id;
    for (let i = 0; i < 150; i++) {
      const run = (await call(base(), 'GET', `/api/eval-runs/${runId}`)).json as { status: string };
      if (run.status !== 'queued' && run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await call(base(), 'GET', `/api/eval-runs/${runId}`)).json).toMatchObject({ status: 'completed' });
    expect((await list(`scenario=${scenarioId}`)).counts).toEqual(before);
  });
});
