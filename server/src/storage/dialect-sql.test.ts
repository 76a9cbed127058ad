import { describe, expect, it } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import { greatest, jsonNumber, jsonText, least, lockForTransaction } from './dialect-sql.js';
import type { DataStore } from './store.js';
import { storesUnderTest } from './testing-stores.js';

/** A JSON value as each dialect's column holds it (PostgreSQL `json`, SQLite text). */
const json = (store: DataStore, text: string): SQL => (store.dialect === 'postgres' ? sql`(${text}::json)` : sql`${text}`);

async function one<T>(store: DataStore, expr: SQL<T>): Promise<T> {
  const [row] = await store.db.select({ v: expr }).from(store.t.users).rightJoin(sql`(select 1) as one`, sql`true`);
  return row.v;
}

describe.each(storesUnderTest('dialect_sql'))('dialect SQL on %s', (_name, open, skip) => {
  it.skipIf(skip)('reads JSON paths as text and numbers, null when absent, of another type, or not JSON', async () => {
    const store = await open();
    const doc = json(store, '{"usage":{"prompt_tokens":12,"model":"qwen"},"n":1.5}');
    expect(await one(store, jsonText(store.dialect, doc, ['usage', 'model']))).toBe('qwen');
    expect(await one(store, jsonNumber(store.dialect, doc, ['usage', 'prompt_tokens']))).toBe(12);
    expect(await one(store, jsonNumber(store.dialect, doc, ['n']))).toBe(1.5);
    expect(await one(store, jsonNumber(store.dialect, doc, ['usage', 'model']))).toBeNull();
    expect(await one(store, jsonText(store.dialect, doc, ['missing', 'x']))).toBeNull();
    if (store.dialect === 'sqlite') expect(await one(store, jsonText(store.dialect, sql`${'{damaged'}`, ['a']))).toBeNull();
  });

  it.skipIf(skip)('takes the larger and smaller of two values', async () => {
    const store = await open();
    expect(Number(await one(store, greatest(store.dialect, sql`3`, sql`7`)))).toBe(7);
    expect(Number(await one(store, least(store.dialect, sql`3`, sql`7`)))).toBe(3);
  });

  it('refuses a path key that is not a plain name', () => {
    expect(() => jsonText('sqlite', sql`x`, ["a'; drop table users; --"])).toThrow(/letters, digits/);
  });
});

describe.each(storesUnderTest('dialect_lock'))('transaction locks on %s', (_name, open, skip) => {
  it.skipIf(skip)('holds a second transaction taking the same lock until the first ends', async () => {
    const store = await open();
    const order: string[] = [];
    const first = store.transaction(async (tx) => {
      await lockForTransaction(tx, 'test');
      order.push('first locked');
      await new Promise((resolve) => setTimeout(resolve, 300));
      order.push('first ends');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = store.transaction(async (tx) => {
      await lockForTransaction(tx, 'test');
      order.push('second locked');
    });
    // Another name is not held up.
    const other = store.dialect === 'postgres' ? store.transaction(async (tx) => lockForTransaction(tx, 'other').then(() => order.push('other locked'))) : Promise.resolve();
    await Promise.all([first, second, other]);
    expect(order.filter((o) => o !== 'other locked')).toEqual(['first locked', 'first ends', 'second locked']);
    if (store.dialect === 'postgres') expect(order.indexOf('other locked')).toBeLessThan(order.indexOf('first ends'));
  });
});
