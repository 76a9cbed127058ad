import { describe, expect, it } from 'vitest';
import { LoginThrottle, PasswordChangeThrottle } from './throttle.js';

const config = { maxFailuresPerName: 3, maxFailuresPerAddress: 10, maxFailuresPerAccount: 6, windowSeconds: 60 };

describe('login throttle', () => {
  it('counts attempts before they are checked: of 50 at once for one account and address, only the limit pass', async () => {
    const throttle = new LoginThrottle(config);
    const verdicts = await Promise.all(Array.from({ length: 50 }, () => throttle.attempt('root', '10.0.0.1')));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(3);
    const refused = verdicts.find((v) => !v.allowed);
    expect(refused && !refused.allowed && refused.retryAfterSeconds).toBeGreaterThan(50);
  });

  it('blocks the (account, address) pair, not the account from elsewhere, and a success starts the pair again', async () => {
    const throttle = new LoginThrottle(config);
    for (let i = 0; i < 3; i++) expect((await throttle.attempt('admin', '10.0.0.66')).allowed).toBe(true);
    expect((await throttle.attempt('admin', '10.0.0.66')).allowed).toBe(false);
    // The admin at their own desk is not locked out by the attacker.
    expect((await throttle.attempt('admin', '10.0.0.2')).allowed).toBe(true);
    await throttle.succeeded('admin', '10.0.0.2');
    // Two failures, a success, then three more failures are allowed: the pair counts consecutive failures.
    const t = new LoginThrottle(config);
    await t.attempt('u', '1.1.1.1');
    await t.attempt('u', '1.1.1.1');
    await t.succeeded('u', '1.1.1.1');
    for (let i = 0; i < 3; i++) expect((await t.attempt('u', '1.1.1.1')).allowed).toBe(true);
  });

  it('limits an address across names, and an account across addresses', async () => {
    const throttle = new LoginThrottle(config);
    for (let i = 0; i < 10; i++) expect((await throttle.attempt(`name-${i}`, '10.0.0.1')).allowed).toBe(true);
    expect((await throttle.attempt('another', '10.0.0.1')).allowed).toBe(false);
    expect((await throttle.attempt('another', '10.0.0.3')).allowed).toBe(true);
    const spread = new LoginThrottle(config);
    for (let i = 0; i < 6; i++) expect((await spread.attempt('boss', `10.1.0.${i}`)).allowed).toBe(true);
    expect((await spread.attempt('boss', '10.1.0.99')).allowed).toBe(false);
  });

  it('counts no refused attempt against the account: a flood from one address leaves the owner alone', async () => {
    const throttle = new LoginThrottle(config);
    await Promise.all(Array.from({ length: 200 }, () => throttle.attempt('boss', '10.6.6.6')));
    for (let i = 0; i < 3; i++) expect((await throttle.attempt('boss', `10.2.0.${i}`)).allowed).toBe(true);
  });

  it('gives the points of an attempt that was never checked back', async () => {
    const throttle = new LoginThrottle(config);
    for (let i = 0; i < 10; i++) {
      expect((await throttle.attempt('root', '10.0.0.1')).allowed).toBe(true);
      await throttle.refund('root', '10.0.0.1');
    }
  });
});

describe('password change throttle', () => {
  it('refuses a user after their failures until a right password', async () => {
    const throttle = new PasswordChangeThrottle(config);
    const verdicts = await Promise.all(Array.from({ length: 10 }, () => throttle.attempt('user-1')));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(3);
    expect((await throttle.attempt('user-2')).allowed).toBe(true);
    await throttle.succeeded('user-1');
    expect((await throttle.attempt('user-1')).allowed).toBe(true);
  });
});
