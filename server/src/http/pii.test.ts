import { describe, expect, it } from 'vitest';
import type { RunDetail } from '@shared/api.js';
import type { CallDetail, CallItem } from '@shared/dashboard.js';
import type { RunEvent } from '@shared/events.js';
import { GRAPH_FORMAT } from '@shared/graph.js';
import { piiView, webhookShown, withoutWebhookSecrets } from './pii.js';

const PHONE = '13912345678';
const SHOWN = '139****5678';
const ADDRESS = '济南市历下区新泺大街 1166 号奥盛大厦 3 号楼 2 单元 501 室';
const usage = { model_calls: 1, prompt_tokens: 10, completion_tokens: 5 };

const events: RunEvent[] = [
  { type: 'run.started', run_id: 'r1', at: 1, scenario: 's1', inputs: { transcript: `客户：电话 ${PHONE}` } },
  { type: 'node.started', run_id: 'r1', at: 2, node_id: 'llm_1', kind: 'llm', attempt: 1 },
  {
    type: 'node.finished',
    run_id: 'r1',
    at: 3,
    node_id: 'llm_1',
    kind: 'llm',
    inputs: { text: `电话 ${PHONE}` },
    outputs: { form: { phone: PHONE, address: ADDRESS } },
    latency_ms: 12,
    usage,
    calls: [{ model: 'simulator', messages: [{ role: 'user', content: `提取：电话 ${PHONE}` }], raw: `{"phone":"${PHONE}"}`, reasoning: `客户说 ${PHONE}`, latency_ms: 10, prompt_tokens: 10, completion_tokens: 5 }],
    warnings: [{ code: 'values_coerced', message: `phone ${PHONE} coerced`, details: { value: PHONE } }],
  },
  { type: 'node.failed', run_id: 'r1', at: 4, node_id: 'http_1', kind: 'http', error: { code: 'http_error', message: `POST failed for ${PHONE}` }, attempt: 1, will_retry: false, latency_ms: 3 },
  { type: 'node.skipped', run_id: 'r1', at: 5, node_id: 'x', kind: 'template' },
  { type: 'run.finished', run_id: 'r1', at: 6, outputs: { phone: PHONE }, usage, latency_ms: 20 },
  { type: 'run.failed', run_id: 'r1', at: 7, error: { code: 'node_error', message: `bad ${PHONE}`, nodeId: 'http_1', details: [PHONE] }, usage, latency_ms: 20 },
];

const detail: RunDetail = {
  id: 'r1',
  scenario_id: 's1',
  kind: 'test',
  status: 'succeeded',
  model: 'simulator',
  latency_ms: 20,
  usage,
  error: { code: 'node_error', message: `at ${ADDRESS}` },
  created_at: '2026-01-01T00:00:00.000Z',
  finished_at: '2026-01-01T00:00:01.000Z',
  inputs: { transcript: `客户：电话 ${PHONE}` },
  outputs: { phone: PHONE },
  events,
};

const item: CallItem = { id: 'greet', name: '问候', result: 'fail', score: 0, weight: 10, fatal: false, evidence: ['t2'], reason: `客户报了电话 ${PHONE}` };
const call: CallDetail = {
  job_id: 'j1',
  item_id: 'c1',
  run_id: 'r1',
  score: 80,
  verdict: 'pass',
  fatal: [],
  failing: [item],
  finished_at: null,
  items: [item],
  report: `客户 ${PHONE}，地址 ${ADDRESS}`,
  transcript: [{ id: 't1', role: 'customer', text: `我的电话是 ${PHONE}` }],
};

describe('piiView(false): every reply kind comes out masked', () => {
  const view = piiView(false);
  it('a run detail: inputs, outputs, error and every event, prompts and raw replies included', () => {
    const masked = view.runDetail(detail);
    const text = JSON.stringify(masked);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain('1166');
    expect(masked.inputs).toEqual({ transcript: `客户：电话 ${SHOWN}` });
    expect(masked.error).toEqual({ code: 'node_error', message: 'at 济南市历下区****' });
    const finished = masked.events[2];
    expect(finished.type === 'node.finished' && finished.calls?.[0]).toMatchObject({ messages: [{ role: 'user', content: `提取：电话 ${SHOWN}` }], raw: `{"phone":"${SHOWN}"}`, reasoning: `客户说 ${SHOWN}`, model: 'simulator' });
    expect(finished.type === 'node.finished' && finished.outputs).toEqual({ form: { phone: SHOWN, address: '济南市历下区****' } });
    // Identifiers, kinds, times and usage are kept.
    expect(masked.events.map((e) => [e.type, e.run_id, e.at])).toEqual(events.map((e) => [e.type, e.run_id, e.at]));
    expect(masked.events[4]).toEqual(events[4]);
    expect(masked.usage).toEqual(usage);
  });

  it('each event kind on its own, and a run summary and result', () => {
    for (const e of events) expect(JSON.stringify(view.event(e))).not.toContain(PHONE);
    expect(view.runSummary({ ...detail, error: { code: 'x', message: PHONE } }).error).toEqual({ code: 'x', message: SHOWN });
    expect(view.runResult({ run_id: 'r1', status: 'failed', outputs: { phone: PHONE }, error: { code: 'x', message: PHONE }, usage, latency_ms: 1, model: 'simulator' })).toEqual({
      run_id: 'r1',
      status: 'failed',
      outputs: { phone: SHOWN },
      error: { code: 'x', message: SHOWN },
      usage,
      latency_ms: 1,
      model: 'simulator',
    });
  });

  it('dashboard calls: reasons, report and transcript', () => {
    const masked = view.callDetail(call);
    expect(JSON.stringify(masked)).not.toContain(PHONE);
    expect(masked.transcript).toEqual([{ id: 't1', role: 'customer', text: `我的电话是 ${SHOWN}` }]);
    expect(masked.report).toBe(`客户 ${SHOWN}，地址 济南市历下区****`);
    expect(masked.items[0]).toEqual({ ...item, reason: `客户报了电话 ${SHOWN}` });
    expect(view.callPage({ calls: [call], total: 1, offset: 0, limit: 50 }).calls[0].failing[0].reason).toBe(`客户报了电话 ${SHOWN}`);
  });

  it('job results lines and failed items, their item ids included', () => {
    expect(view.resultLine({ id: PHONE, run_id: 'r1', status: 'succeeded', simulated: true, outputs: { phone: PHONE, n: 3 } })).toEqual({ id: SHOWN, run_id: 'r1', status: 'succeeded', simulated: true, outputs: { phone: SHOWN, n: 3 } });
    expect(view.resultLine({ id: 'c1', run_id: 'r1', status: 'succeeded', simulated: false }).id).toBe('c1');
    const failure = view.jobFailure({ id: `order-${PHONE}`, line: 1, run_id: null, attempts: 1, error: { code: 'x', message: `bad ${PHONE}` }, finished_at: null });
    expect(failure).toMatchObject({ id: `order-${SHOWN}`, error: { message: `bad ${SHOWN}` } });
  });

  it("a dashboard call's item id", () => {
    const byPhone = { ...call, item_id: PHONE };
    expect(view.callDetail(byPhone).item_id).toBe(SHOWN);
    expect(view.callPage({ calls: [byPhone], total: 1, offset: 0, limit: 50 }).calls[0].item_id).toBe(SHOWN);
  });

  it("a graph's sample inputs, not its nodes", () => {
    const graph = { schema: GRAPH_FORMAT, name: 'g', inputs: { transcript: `电话 ${PHONE}` }, nodes: [], edges: [] } as const;
    expect(view.graph(graph)).toEqual({ ...graph, inputs: { transcript: `电话 ${SHOWN}` } });
    expect(view.graph({ inputs: undefined })).toEqual({ inputs: undefined });
  });
});

describe('webhookShown', () => {
  it('keeps scheme, host, port and path; drops query, fragment and credentials', () => {
    expect(webhookShown('https://user:pw@crm.example.com:8443/hooks/mofang?token=SECRET123#x')).toBe('https://crm.example.com:8443/hooks/mofang');
    expect(webhookShown('http://127.0.0.1/hook')).toBe('http://127.0.0.1/hook');
    expect(webhookShown('not a url')).toBe('');
    expect(withoutWebhookSecrets({ webhook: null })).toEqual({ webhook: null });
    expect(withoutWebhookSecrets({ webhook: { url: 'https://a.example/h?k=1', delivered: true, attempts: 1 } })).toEqual({ webhook: { url: 'https://a.example/h', delivered: true, attempts: 1 } });
  });
});

describe('piiView(true)', () => {
  it('returns every value as it is', () => {
    const view = piiView(true);
    expect(view.masked).toBe(false);
    expect(view.runDetail(detail)).toBe(detail);
    expect(view.callDetail(call)).toBe(call);
    expect(view.event(events[0])).toBe(events[0]);
  });
});
