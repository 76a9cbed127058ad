import { describe, expect, it } from 'vitest';
import { simulatedModel } from './simulated.js';

describe('simulatedModel', () => {
  it('names the simulator among the clients that answered', () => {
    expect(simulatedModel('simulator')).toBe(true);
    expect(simulatedModel('qwen2.5-7b@10.0.0.5:8000, simulator')).toBe(true);
  });
  it('is false for real endpoints, none, or nothing recorded', () => {
    expect(simulatedModel('qwen2.5-7b@10.0.0.5:8000')).toBe(false);
    expect(simulatedModel('my-simulator-lab@host')).toBe(false);
    expect(simulatedModel('none')).toBe(false);
    expect(simulatedModel('')).toBe(false);
    expect(simulatedModel(null)).toBe(false);
  });
});
