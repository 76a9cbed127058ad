/** Node retries (p-retry): attempt counts, backoff, Retry-After, and a cancel during the wait. */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@shared/events.js';
import { compileGraph, runPlan } from '../index.js';
import { ScriptedModel } from '../../model/scripted.js';
import { ModelError } from '../../model/types.js';
import { loadTemplateGraph, noServices } from '../testing.js';

const TRANSCRIPT = '坐席：您好，工号 1024。\n客户：宽带上不了网。\n坐席：已登记，再见。';

/** The intent-triage plan; its first node, classify_1, has the default 2 retries (3 attempts). */
function plan() {
  const result = compileGraph(loadTemplateGraph('intent-triage'));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

function attemptsOf(events: RunEvent[], nodeId: string) {
  return events.filter((e): e is Extract<RunEvent, { type: 'node.started' | 'node.failed' }> => (e.type === 'node.started' || e.type === 'node.failed') && e.node_id === nodeId);
}

describe('node retries', () => {
  it('tries a retryable failure 1 + retries times, with backoff between, then fails naming the attempts', async () => {
    const model = new ScriptedModel(() => ({ error: new ModelError('server_error', 'boom', { status: 500 }) }));
    const events: RunEvent[] = [];
    const result = await runPlan(plan(), { transcript: TRANSCRIPT }, { models: model.resolver(), services: noServices, onEvent: (e) => events.push(e) });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model_error', nodeId: 'classify_1' });
    expect(result.error?.message).toContain('(after 3 attempts)');
    expect(model.requests).toHaveLength(3);
    const seen = attemptsOf(events, 'classify_1').map((e) => (e.type === 'node.started' ? `start ${e.attempt}` : `fail ${e.attempt} ${e.will_retry}`));
    expect(seen).toEqual(['start 1', 'fail 1 true', 'start 2', 'fail 2 true', 'start 3', 'fail 3 false']);
    // Jittered exponential backoff: 100–200 ms after the first failure, 200–400 ms after the second.
    const at = attemptsOf(events, 'classify_1').map((e) => e.at);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(95);
    expect(at[4] - at[3]).toBeGreaterThanOrEqual(195);
  });

  it('waits what a Retry-After asks before the next attempt', async () => {
    let calls = 0;
    const model = new ScriptedModel(() => (++calls === 1 ? { error: new ModelError('rate_limited', 'slow down', { status: 429, retryAfterMs: 600 }) } : { error: new ModelError('bad_request', 'stop', { status: 400 }) }));
    const events: RunEvent[] = [];
    await runPlan(plan(), { transcript: TRANSCRIPT }, { models: model.resolver(), services: noServices, onEvent: (e) => events.push(e) });
    const at = attemptsOf(events, 'classify_1').map((e) => e.at);
    expect(at).toHaveLength(4); // a 400 is not retried
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(590);
  });

  it('a cancel during the wait ends the run at once, without another attempt', async () => {
    const model = new ScriptedModel(() => ({ error: new ModelError('rate_limited', 'slow down', { status: 429, retryAfterMs: 20_000 }) }));
    const cancel = new AbortController();
    const started = performance.now();
    setTimeout(() => cancel.abort(), 100);
    const result = await runPlan(plan(), { transcript: TRANSCRIPT }, { models: model.resolver(), services: noServices, signal: cancel.signal });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.error?.code).toBe('cancelled');
    expect(model.requests).toHaveLength(1);
  });
});
