import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { sandboxConfigFromEnv } from './sandbox-config.js';

describe('sandbox settings from the environment', () => {
  it('defaults to two workers, one per scenario, and a 10 s queue limit', () => {
    expect(sandboxConfigFromEnv({})).toEqual({ poolSize: 2, perScenario: 1, queueTimeoutMs: 10_000 });
    expect(loadConfig({}).sandbox).toEqual({ poolSize: 2, perScenario: 1, queueTimeoutMs: 10_000 });
  });

  it('reads MOFANG_CODE_WORKERS, MOFANG_CODE_WORKERS_PER_SCENARIO and MOFANG_CODE_QUEUE_MS; blanks are unset', () => {
    expect(sandboxConfigFromEnv({ MOFANG_CODE_WORKERS: '6', MOFANG_CODE_QUEUE_MS: '2500' })).toEqual({ poolSize: 6, perScenario: 5, queueTimeoutMs: 2500 });
    expect(sandboxConfigFromEnv({ MOFANG_CODE_WORKERS: '6', MOFANG_CODE_WORKERS_PER_SCENARIO: '2' })).toMatchObject({ poolSize: 6, perScenario: 2 });
    expect(sandboxConfigFromEnv({ MOFANG_CODE_WORKERS: '1' })).toMatchObject({ poolSize: 1, perScenario: 1 });
    expect(sandboxConfigFromEnv({ MOFANG_CODE_WORKERS: ' ', MOFANG_CODE_QUEUE_MS: '' })).toEqual({ poolSize: 2, perScenario: 1, queueTimeoutMs: 10_000 });
  });

  it('stops the server at start naming the bad variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ MOFANG_CODE_WORKERS: '0' }, /MOFANG_CODE_WORKERS must be at least 1/],
      [{ MOFANG_CODE_WORKERS: 'four' }, /MOFANG_CODE_WORKERS must be a number/],
      [{ MOFANG_CODE_WORKERS: '2.5' }, /MOFANG_CODE_WORKERS must be a whole number/],
      [{ MOFANG_CODE_WORKERS: '65' }, /MOFANG_CODE_WORKERS must be at most 64/],
      [{ MOFANG_CODE_QUEUE_MS: '-1' }, /MOFANG_CODE_QUEUE_MS must be at least 1/],
      [{ MOFANG_CODE_WORKERS: '2', MOFANG_CODE_WORKERS_PER_SCENARIO: '3' }, /MOFANG_CODE_WORKERS_PER_SCENARIO: 3 is more than MOFANG_CODE_WORKERS \(2\)/],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    }
  });
});
