import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@shared/index';
import { replay } from './reduce';

const usage = { model_calls: 1, prompt_tokens: 1, completion_tokens: 1 };
const call = { model: 'simulator:mofang-simulator', messages: [], raw: 'x', latency_ms: 1, prompt_tokens: 1, completion_tokens: 1 };

function events(simulated: boolean | undefined, callSimulated: boolean): RunEvent[] {
  return [
    { type: 'run.started', run_id: 'r', at: 0, inputs: {} },
    { type: 'node.finished', run_id: 'r', at: 1, node_id: 'llm', kind: 'llm', inputs: null, outputs: {}, latency_ms: 1, usage, calls: [{ ...call, ...(callSimulated ? { simulated: true } : {}) }] },
    { type: 'run.finished', run_id: 'r', at: 2, outputs: {}, usage, latency_ms: 2, ...(simulated === undefined ? {} : { simulated }) },
  ];
}

describe('a run view says whether the simulator answered', () => {
  it('from the run’s end, or from a model call while it streams', () => {
    expect(replay(events(true, true)).simulated).toBe(true);
    expect(replay(events(undefined, true)).simulated).toBe(true);
    expect(replay(events(false, false)).simulated).toBe(false);
    expect(replay(events(undefined, false)).simulated).toBeUndefined();
  });
});
