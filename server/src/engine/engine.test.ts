import { describe, expect, it } from 'vitest';
import { RunEventSchema, type RunEvent } from '@shared/events.js';
import { compileGraph, runPlan, streamRun } from './index.js';
import { ScriptedModel } from '../model/scripted.js';
import { ModelError, type ChatRequest } from '../model/types.js';
import { compileSchema } from '../common/validation.js';
import { loadTemplateGraph, noServices } from './testing.js';

const TRANSCRIPT = '坐席：您好，工号 1024。\n客户：宽带上不了网，光猫 LOS 红灯，电话 13912345678，我叫张伟，地址历下区新泺大街 1166 号 501。\n坐席：已登记，感谢来电，再见。';

function triageModel(label: string) {
  return new ScriptedModel((request: ChatRequest) => {
    const schemaName = request.responseFormat?.type === 'json_schema' ? request.responseFormat.json_schema.name : '';
    if (schemaName === 'classification') return { json: { label, confidence: 0.9, reason: 'test' } };
    if (schemaName === 'form')
      return {
        json: {
          form: { name: '张伟', phone: '139 1234 5678', account: null, address: '历下区新泺大街 1166 号 501', symptom: '光猫 LOS 红灯' },
          evidence: { name: ['t2'], phone: ['t2'], account: [], address: ['t2', 't99'], symptom: ['t2'] },
        },
      };
    if (schemaName === 'audit')
      return { json: { empathy: { result: 'na', evidence: [], reason: '客户未不满' }, answer: { result: 'pass', evidence: ['t3'], reason: '已登记' } } };
    return 'unexpected request';
  });
}

function compileTriage() {
  const result = compileGraph(loadTemplateGraph('intent-triage'));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

describe('intent-triage template end to end', () => {
  it('a fault call takes the extract branch, skips audit, and outputs a validated work order', async () => {
    const plan = compileTriage();
    const events: RunEvent[] = [];
    const model = triageModel('fault');
    const result = await runPlan(plan, { transcript: TRANSCRIPT }, { services: noServices, models: model.resolver(), onEvent: (e) => events.push(e) });
    expect(result.status).toBe('succeeded');
    expect(result.outputs?.intent).toBe('fault');
    expect(result.outputs?.route).toBe('extract_1');
    const form = (result.outputs?.result as { form: Record<string, unknown>; missing: string[]; evidence: Record<string, string[]> });
    expect(form.form.phone).toBe('13912345678');
    expect(form.missing).toEqual([]);
    expect(form.evidence.address).toEqual(['t2']);
    expect(compileSchema(plan.outputSchema)(result.outputs)).toBe(true);
    expect(result.usage.model_calls).toBe(2);

    for (const event of events) expect(RunEventSchema.safeParse(event).success, JSON.stringify(event).slice(0, 200)).toBe(true);
    expect(events.find((e) => e.type === 'node.finished' && e.node_id === 'end')).toHaveProperty('inputs', null);
    const order = events.map((e) => ('node_id' in e ? `${e.type}:${e.node_id}` : e.type));
    expect(order[0]).toBe('run.started');
    expect(order.at(-1)).toBe('run.finished');
    expect(order).toContain('node.skipped:audit_1');
    expect(order).not.toContain('node.started:audit_1');
    expect(order.indexOf('node.finished:classify_1')).toBeLessThan(order.indexOf('node.started:extract_1'));
    expect(order.indexOf('node.finished:extract_1')).toBeLessThan(order.indexOf('node.started:merge_1'));
    const classify = events.find((e) => e.type === 'node.finished' && e.node_id === 'classify_1');
    expect(classify && classify.type === 'node.finished' && classify.branch).toEqual(['fault']);
  });

  it('a service call takes the audit branch and scores it', async () => {
    const result = await runPlan(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: triageModel('service').resolver() });
    expect(result.status).toBe('succeeded');
    expect(result.outputs?.route).toBe('audit_1');
    const audit = result.outputs?.result as { score: number; verdict: string; items: Array<{ id: string; result: string; evidence: string[] }> };
    expect(audit.items.find((i) => i.id === 'greeting')).toMatchObject({ result: 'pass', evidence: ['t1'] });
    expect(audit.items.find((i) => i.id === 'closing')?.result).toBe('pass');
    expect(audit.score).toBe(100);
    expect(audit.verdict).toBe('pass');
  });

  it('low confidence routes to other, which is wired to audit', async () => {
    const model = new ScriptedModel((r) =>
      r.responseFormat?.type === 'json_schema' && r.responseFormat.json_schema.name === 'classification'
        ? { json: { label: 'fault', confidence: 0.2, reason: 'unsure' } }
        : { json: { empathy: { result: 'pass', evidence: [], reason: '' }, answer: { result: 'fail', evidence: ['t3'], reason: 'x' } } },
    );
    const result = await runPlan(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: model.resolver() });
    expect(result.outputs?.intent).toBe('other');
    expect(result.outputs?.route).toBe('audit_1');
  });

  it('streams the same events as an async iterable', async () => {
    const { events, result } = streamRun(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: triageModel('fault').resolver() });
    const types: string[] = [];
    for await (const e of events) types.push(e.type);
    expect((await result).status).toBe('succeeded');
    expect(types[0]).toBe('run.started');
    expect(types.at(-1)).toBe('run.finished');
  });

  it('rejects bad inputs with the failing paths', async () => {
    const plan = compileTriage();
    expect(plan.validateInputs({})).toEqual([{ path: 'inputs.transcript', message: 'is required' }]);
    const result = await runPlan(plan, { transcript: 42 }, { services: noServices, models: triageModel('fault').resolver() });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('invalid_inputs');
    const text = await runPlan(plan, { transcript: 'no speaker labels here' }, { services: noServices, models: triageModel('fault').resolver() });
    expect(text.error?.code).toBe('invalid_inputs');
    expect(text.error?.message).toContain('speaker label');
  });
});

describe('runtime failures', () => {
  it('retries a retryable model error, then succeeds', async () => {
    let calls = 0;
    const model = new ScriptedModel((r) => {
      calls++;
      if (calls === 1) return { error: new ModelError('server_error', 'boom', { status: 500 }) };
      return triageModel('fault').chat(r).then((x) => x.text);
    });
    const events: RunEvent[] = [];
    const result = await runPlan(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: model.resolver(), onEvent: (e) => events.push(e) });
    expect(result.status).toBe('succeeded');
    const failed = events.find((e) => e.type === 'node.failed');
    expect(failed && failed.type === 'node.failed' && failed.will_retry).toBe(true);
  });

  it('fails with model_error after the retries run out', async () => {
    const model = new ScriptedModel(() => ({ error: new ModelError('bad_request', 'endpoint said 400', { status: 400 }) }));
    const result = await runPlan(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: model.resolver() });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model_error', nodeId: 'classify_1' });
    expect(model.requests.length).toBe(1);
  });

  it('a deadline aborts the model call and fails with deadline_exceeded', async () => {
    let aborted = false;
    const model = new ScriptedModel(
      (r) =>
        new Promise((_resolve, reject) => {
          r.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new ModelError('aborted', 'aborted'));
          });
        }),
    );
    const result = await runPlan(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: model.resolver(), deadlineMs: 50 });
    expect(result.error?.code).toBe('deadline_exceeded');
    expect(aborted).toBe(true);
  });

  it('cancellation through the caller signal reaches the model call', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const model = new ScriptedModel(
      (r) =>
        new Promise((_resolve, reject) => {
          seen = r.signal;
          r.signal?.addEventListener('abort', () => reject(new ModelError('aborted', 'aborted')));
          setTimeout(() => controller.abort(), 5);
        }),
    );
    const result = await runPlan(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: model.resolver(), signal: controller.signal });
    expect(result.error?.code).toBe('cancelled');
    expect(seen?.aborted).toBe(true);
  });

  it('a malformed reply gets one repair round', async () => {
    let n = 0;
    const model = new ScriptedModel((r) => {
      n++;
      if (n === 1) return 'Sure! here you go: {"label": "fault", "confidence": "high"';
      return triageModel('fault').chat(r).then((x) => '```json\n' + x.text + '\n```');
    });
    const result = await runPlan(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: model.resolver() });
    expect(result.status).toBe('succeeded');
    expect(model.requests[1].messages.at(-1)?.content).toContain('not valid');
  });

  it('puts the schema in the prompt when the endpoint lacks json_schema', async () => {
    const inner = triageModel('fault');
    const model = new ScriptedModel((r) => {
      expect(r.responseFormat).toBeUndefined();
      const system = r.messages[0].content;
      const name = system.includes('意图分类') ? 'classification' : 'form';
      return inner.chat({ ...r, responseFormat: { type: 'json_schema', json_schema: { name, schema: {} } } }).then((x) => `好的：\n${x.text}`);
    }, false);
    const result = await runPlan(compileTriage(), { transcript: TRANSCRIPT }, { services: noServices, models: model.resolver() });
    expect(result.status).toBe('succeeded');
    expect(model.requests[0].messages[0].content).toContain('JSON Schema');
  });
});
