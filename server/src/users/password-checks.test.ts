import { describe, expect, it } from 'vitest';
import { PasswordChecks, PasswordChecksBusy } from './password-checks.js';

describe('password checks', () => {
  it('runs at most maxRunning at once, lets 8 times as many wait, and refuses the rest at once', async () => {
    const checks = new PasswordChecks(2);
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const check = () =>
      new Promise<string>((resolve) => {
        running++;
        most = Math.max(most, running);
        releases.push(() => {
          running--;
          resolve('done');
        });
      });
    const outcomes = Array.from({ length: 30 }, () => checks.run(check).then((v) => v, (e: unknown) => e));
    expect(checks.load).toEqual({ running: 2, waiting: 16 });
    const settled = await Promise.race([Promise.all(outcomes.slice(18)), new Promise((r) => setTimeout(() => r('timeout'), 1000))]);
    expect(settled).toHaveLength(12);
    for (const e of settled as unknown[]) expect(e).toBeInstanceOf(PasswordChecksBusy);
    while (releases.length > 0 || checks.load.running > 0) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(outcomes.slice(0, 18))).toEqual(Array(18).fill('done'));
    expect(most).toBe(2);
  });
});
