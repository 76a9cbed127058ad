import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../storage/db.js';
import { sqliteDataStore } from '../storage/store.js';
import { storePairsUnderTest } from '../storage/testing-stores.js';
import { listKeys, revokeKey } from '../storage/keys.js';
import { createApiKey } from './index.js';
import { KeyAuth } from './key-auth.js';
import { RateLimiter } from './rate-limit.js';
import { hashKey, maskSecrets } from './secret.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function store(): { a: Store; b: Store } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-keys-'));
  const a = openStore(dir);
  const b = openStore(dir);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => a.close(), () => b.close());
  return { a, b };
}

describe('rate limiter', () => {
  it('allows a full bucket, then refills at the per-minute rate and says when to retry', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    expect(limiter.take('k', 2)).toEqual({ ok: true });
    expect(limiter.take('k', 2)).toEqual({ ok: true });
    expect(limiter.take('k', 2)).toEqual({ ok: false, retryAfterSeconds: 30 });
    now = 29_000;
    expect(limiter.take('k', 2).ok).toBe(false);
    now = 30_000;
    expect(limiter.take('k', 2)).toEqual({ ok: true });
    expect(limiter.take('other', 2)).toEqual({ ok: true });
  });
});

/** Two stores over one database (a server and the CLI, or two servers): SQLite files or PostgreSQL. */
const pairs = storePairsUnderTest('keys');

describe.each(pairs)('keys on %s', (_name, open, skip) => {
  it.skipIf(skip)('stores only a hash and a prefix; the secret is returned once', async () => {
    const { a } = await open();
    const created = await createApiKey(a, { name: 'x', scenarios: ['s', 's'] });
    expect(created.scenarios).toEqual(['s']);
    expect(created.prefix).toBe(created.key.slice(0, 8));
    const [row] = await a.db.select().from(a.t.apiKeys);
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(JSON.stringify(row)).toContain(hashKey(created.key));
    expect(JSON.stringify(await listKeys(a))).not.toContain(hashKey(created.key));
  });

  it.skipIf(skip)('caches keys and drops the cache within the stamp interval after a revoke from another connection', async () => {
    const { a, b } = await open();
    let now = 1_000;
    const auth = new KeyAuth(a, { now: () => now, stampIntervalMs: 1000, pollStamp: false });
    cleanup.push(() => auth.close());
    const created = await createApiKey(a, { name: 'x' });
    // A new key: looked up in the store; then known, answered at once.
    expect((await auth.verify(created.key))?.id).toBe(created.id);
    expect(auth.verify(created.key)).toMatchObject({ id: created.id });
    expect(auth.verify('mf_short')).toBeUndefined();
    await auth.settled();
    expect((await revokeKey(b, created.id, 5)).ok).toBe(true);
    now += 500;
    expect(auth.verify(created.key)).toMatchObject({ id: created.id });
    now += 600;
    // The stamp is read in the background: the request that starts the read is not held up by it.
    auth.verify(created.key);
    await auth.settled();
    expect(await auth.verify(created.key)).toBeUndefined();
  });

  it.skipIf(skip)('revokes by id or a prefix that names one key, keeping the first revocation time', async () => {
    const { a, b } = await open();
    const one = await createApiKey(a, { name: 'one' });
    expect(await revokeKey(b, 'mf_nokey')).toEqual({ ok: false, reason: 'not_found' });
    const first = await revokeKey(b, one.prefix, 7);
    expect(first).toMatchObject({ ok: true, key: { id: one.id, revoked_at: new Date(7).toISOString() } });
    expect(await revokeKey(a, one.id, 9)).toMatchObject({ ok: true, key: { revoked_at: new Date(7).toISOString() } });
    // Revoked by two servers at once (PostgreSQL; SQLite's second connection is another process's, which
    // this one thread cannot stand in for: its busy wait would block the first's commit): one revocation time.
    if (a.dialect === 'postgres') {
      const two = await createApiKey(a, { name: 'two' });
      const [x, y] = await Promise.all([revokeKey(a, two.id, 20), revokeKey(b, two.id, 21)]);
      expect(x.ok && y.ok && x.key.revoked_at === y.key.revoked_at).toBe(true);
    }
  });

  it.skipIf(skip)('records last use in batches, never moving it back', async () => {
    const { a } = await open();
    let now = 42_000;
    const auth = new KeyAuth(a, { now: () => now, pollStamp: false });
    cleanup.push(() => auth.close());
    const created = await createApiKey(a, { name: 'x' });
    await auth.verify(created.key);
    expect((await listKeys(a))[0]?.last_used_at).toBeNull();
    await auth.flushLastUsed();
    expect((await listKeys(a))[0]?.last_used_at).toBe(new Date(42_000).toISOString());
    now = 41_000;
    auth.verify(created.key);
    await auth.flushLastUsed();
    expect((await listKeys(a))[0]?.last_used_at).toBe(new Date(42_000).toISOString());
  });
});

describe('key secrets', () => {
  it('masks keys and bearer tokens in log text', async () => {
    const { a } = store();
    const key = (await createApiKey(sqliteDataStore(a), { name: 'x' })).key;
    const masked = maskSecrets(`GET /v1 authorization: Bearer ${key} and ${key}`);
    expect(masked).not.toContain(key.slice(8));
    expect(masked).toContain('Bearer ***');
  });
});
