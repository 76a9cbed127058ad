import { describe, expect, it } from 'vitest';
import { databaseError, isUniqueViolation, loggableError } from './db-errors.js';
import { storesUnderTest } from './testing-stores.js';

describe.each(storesUnderTest('db_errors'))('a failed query on %s', (_name, open, skip) => {
  it.skipIf(skip)('is told by the driver: its code and message, and logged without the values it carried', async () => {
    const store = await open();
    const secret = '客户：我的身份证号 110101199003071234';
    const row = { id: 'u1', name: 'ann', displayName: secret, role: 'viewer' as const, createdAt: 1, updatedAt: 1 };
    await store.db.insert(store.t.users).values(row);
    const error = await store.db.insert(store.t.users).values(row).then(() => undefined, (e: unknown) => e);
    // What drizzle's own message holds on PostgreSQL (better-sqlite3's error is the driver's, unwrapped).
    if (store.dialect === 'postgres') expect(String(error)).toContain(secret);
    expect(isUniqueViolation(error)).toBe(true);
    expect(databaseError(error).code).toMatch(store.dialect === 'postgres' ? /^23505$/ : /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/);
    const logged = loggableError(error);
    expect(logged).toBeInstanceOf(Error);
    const text = `${String(logged)}\n${(logged as Error).stack}`;
    expect(text).not.toContain(secret);
    if (store.dialect === 'postgres') expect(text).toMatch(/database query failed \(23505\).*insert into "users".*values are not logged/);
  });
});

describe('loggableError', () => {
  it('leaves any other error as it is', () => {
    const other = new Error('boom');
    expect(loggableError(other)).toBe(other);
    expect(loggableError('text')).toBe('text');
  });
});
