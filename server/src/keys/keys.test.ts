import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../storage/db.js';
import { listKeys, revokeKey } from '../storage/keys.js';
import { createApiKey } from './index.js';
import { KeyAuth } from './key-auth.js';
import { RateLimiter } from './rate-limit.js';
import { hashKey, maskSecrets } from './secret.js';
import { sqliteOf } from '../storage/sqlite.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
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

describe('keys', () => {
  it('stores only a hash and a prefix; the secret is returned once', () => {
    const { a } = store();
    const created = createApiKey(a.db, { name: 'x', scenarios: ['s', 's'] });
    expect(created.scenarios).toEqual(['s']);
    expect(created.prefix).toBe(created.key.slice(0, 8));
    const row = sqliteOf(a.db).prepare('select * from api_keys').get();
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(JSON.stringify(row)).toContain(hashKey(created.key));
    expect(JSON.stringify(listKeys(a.db))).not.toContain(hashKey(created.key));
  });

  it('caches keys and drops the cache within the stamp interval after a revoke from another connection', () => {
    const { a, b } = store();
    let now = 1_000;
    const auth = new KeyAuth(a.db, { now: () => now, stampIntervalMs: 1000 });
    cleanup.push(() => auth.close());
    const created = createApiKey(a.db, { name: 'x' });
    expect(auth.verify(created.key)?.id).toBe(created.id);
    expect(auth.verify('mf_short')).toBeUndefined();
    revokeKey(b.db, created.id, 5);
    now += 500;
    expect(auth.verify(created.key)?.id).toBe(created.id);
    now += 600;
    expect(auth.verify(created.key)).toBeUndefined();
  });

  it('records last use in batches', () => {
    const { a } = store();
    const auth = new KeyAuth(a.db, { now: () => 42_000 });
    cleanup.push(() => auth.close());
    const created = createApiKey(a.db, { name: 'x' });
    auth.verify(created.key);
    expect(listKeys(a.db)[0].last_used_at).toBeNull();
    auth.flushLastUsed();
    expect(listKeys(a.db)[0].last_used_at).toBe(new Date(42_000).toISOString());
  });

  it('masks keys and bearer tokens in log text', () => {
    const key = createApiKey(store().a.db, { name: 'x' }).key;
    const masked = maskSecrets(`GET /v1 authorization: Bearer ${key} and ${key}`);
    expect(masked).not.toContain(key.slice(8));
    expect(masked).toContain('Bearer ***');
  });
});
