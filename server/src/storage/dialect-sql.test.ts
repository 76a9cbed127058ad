import { describe, expect, it } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import { isUniqueViolation } from './db-errors.js';
import { binaryText, databaseNowMs, forShare, greatest, jsonArrayLength, jsonNumber, jsonText, least, likeIgnoringCase, lockForTransaction, rawRows, readableJson, skipLocked, statementRows } from './dialect-sql.js';
import type { DataStore } from './store.js';
import { storePairsUnderTest, storesUnderTest } from './testing-stores.js';

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

  it.skipIf(skip)('runs a statement of text and parameters, and claims rows a second transaction holds only after it lets go (skip locked on PostgreSQL)', async () => {
    const store = await open();
    expect(await statementRows(store, `insert into users (id, name, role, created_at, updated_at) values (?, ?, 'viewer', 1, 1), (?, ?, 'viewer', 1, 1)`, ['a', 'A', 'b', 'B'])).toEqual([]);
    expect(await statementRows(store, `select id, name as "displayName" from users where id = ?`, ['b'])).toEqual([{ id: 'b', displayName: 'B' }]);
    await expect(statementRows(store, `select id from users where id = ?`, [])).rejects.toThrow(/placeholders/);
    const keys = async (s: DataStore) => (await statementRows<{ id: string }>(s, `select id from users where id in (select id from users order by id limit ?${skipLocked(s.dialect)})`, [1])).map((r) => r.id);
    if (store.dialect === 'sqlite') {
      expect(await keys(store)).toEqual(['a']);
      return;
    }
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = store.transaction(async (tx) => {
      expect(await keys(tx)).toEqual(['a']);
      locked();
      await held;
    });
    await isLocked;
    // Another connection (not inside the holder's context): row a is passed over, not waited for.
    const other = await new Promise<string[]>((resolve, reject) => setImmediate(() => store.transaction((tx) => keys(tx)).then(resolve, reject)));
    expect(other).toEqual(['b']);
    release();
    await holder;
    expect(await keys(store)).toEqual(['a']);
  });
});

describe.each(storesUnderTest('dialect_sql_scenarios'))('dialect SQL of scenarios on %s', (_name, open, skip) => {
  it.skipIf(skip)('counts a JSON array, 0 when absent or not an array', async () => {
    const store = await open();
    expect(await one(store, jsonArrayLength(store.dialect, json(store, '{"nodes":[1,2,{"a":[3]}]}'), ['nodes']))).toBe(3);
    expect(await one(store, jsonArrayLength(store.dialect, json(store, '{"nodes":{"a":1}}'), ['nodes']))).toBe(0);
    expect(await one(store, jsonArrayLength(store.dialect, json(store, '{"edges":[]}'), ['nodes']))).toBe(0);
    if (store.dialect === 'sqlite') expect(await one(store, jsonArrayLength(store.dialect, sql`${'{damaged'}`, ['nodes']))).toBe(0);
  });

  it.skipIf(skip)('matches like ignoring ASCII case, with \\ escaping % and _', async () => {
    const store = await open();
    expect(await one(store, sql<number>`case when ${likeIgnoringCase(store.dialect, sql`${'Billing Audit'}`, '%AUDIT%')} then 1 else 0 end`.mapWith(Number))).toBe(1);
    expect(await one(store, sql<number>`case when ${likeIgnoringCase(store.dialect, sql`${'100 percent'}`, '%100\\%%')} then 1 else 0 end`.mapWith(Number))).toBe(0);
    expect(await one(store, sql<number>`case when ${likeIgnoringCase(store.dialect, sql`${'100% sure'}`, '%100\\%%')} then 1 else 0 end`.mapWith(Number))).toBe(1);
  });

  it.skipIf(skip)('tells a unique violation from other errors', async () => {
    const store = await open();
    await store.db.insert(store.t.scenarios).values({ id: 's1', name: 'a', description: '', graph: {}, createdAt: 1, updatedAt: 1, revision: 1, slug: 'taken' });
    const duplicate = await store.db
      .insert(store.t.scenarios)
      .values({ id: 's2', name: 'b', description: '', graph: {}, createdAt: 1, updatedAt: 1, revision: 1, slug: 'taken' })
      .then(() => undefined, (error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    const other = await store.db.select({ v: sql`no_such_function()` }).from(store.t.users).then(() => undefined, (error: unknown) => error);
    expect(other).toBeInstanceOf(Error);
    expect(isUniqueViolation(other)).toBe(false);
    expect(isUniqueViolation(new Error('unique'))).toBe(false);
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

describe.each(storesUnderTest('dialect_sql_json'))('readable JSON, byte order and raw rows on %s', (_name, open, skip) => {
  it.skipIf(skip)('reads a document holding \\u0000 elsewhere and at the path, keeping escaped backslashes', async () => {
    const store = await open();
    const docs = [String.raw`{"a":"x\u0000y","b":"z"}`, String.raw`{"a":"\\u0000","b":"\u0000\u0000"}`, String.raw`{"a":"\\\u0000"}`, '{"a":"plain"}'];
    const read = (text: string, key: string) => rawRows(store, sql`select ${jsonText(store.dialect, readableJson(store.dialect, json(store, text)), [key])} as v`);
    const pg = store.dialect === 'postgres';
    expect((await read(docs[0], 'b'))[0].v).toBe('z');
    expect((await read(docs[0], 'a'))[0].v).toBe(pg ? 'x\ufffdy' : 'x\u0000y');
    expect((await read(docs[1], 'a'))[0].v).toBe('\\u0000');
    expect((await read(docs[1], 'b'))[0].v).toBe(pg ? '\ufffd\ufffd' : '\u0000\u0000');
    expect((await read(docs[2], 'a'))[0].v).toBe(pg ? '\\\ufffd' : '\\\u0000');
    expect((await read(docs[3], 'a'))[0].v).toBe('plain');
  });

  it.skipIf(skip)('orders text by bytes', async () => {
    const store = await open();
    const rows = await rawRows(store, sql`select v from (select 'b' as v union all select 'B' union all select 'a-c' union all select 'ab') x order by ${binaryText(store.dialect, sql`v`)}`);
    expect(rows.map((r) => r.v)).toEqual(['B', 'a-c', 'ab', 'b']);
  });
});

describe.each(storesUnderTest('dialect_now'))('the database clock on %s', (_name, open, skip) => {
  it.skipIf(skip)('reads epoch ms as an integer close to the process clock', async () => {
    const store = await open();
    const before = Date.now();
    const [row] = await rawRows(store, sql`select ${databaseNowMs(store.dialect)} as now`);
    const now = Number(row.now);
    expect(Number.isInteger(now)).toBe(true);
    expect(now).toBeGreaterThanOrEqual(before - 50);
    expect(now).toBeLessThanOrEqual(Date.now() + 50);
  });
});

describe.each(storePairsUnderTest('dialect_share'))('share locks on %s', (name, open, skip) => {
  it.skipIf(skip || name !== 'PostgreSQL')('holds an update of a share-locked row until the locking transaction ends', async () => {
    const { a, b } = await open();
    await a.db.insert(a.t.scenarios).values({ id: 's', name: 'n', graph: {}, createdAt: 1, updatedAt: 1 });
    const order: string[] = [];
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const locker = a.transaction(async (tx) => {
      await rawRows(tx, sql`select id from scenarios where id = 's'${forShare(tx.dialect)}`);
      order.push('locked');
      await held;
      order.push('unlocking');
    });
    while (!order.includes('locked')) await new Promise((r) => setTimeout(r, 5));
    const update = b.db.update(b.t.scenarios).set({ name: 'm' }).where(sql`id = 's'`).then(() => order.push('updated'));
    await new Promise((r) => setTimeout(r, 150));
    release();
    await Promise.all([locker, update]);
    expect(order).toEqual(['locked', 'unlocking', 'updated']);
  });

  it.skipIf(skip)('reads the rows on either store', async () => {
    const { a } = await open();
    await a.db.insert(a.t.scenarios).values({ id: 's', name: 'n', graph: {}, createdAt: 1, updatedAt: 1 });
    expect(await a.transaction((tx) => rawRows(tx, sql`select id from scenarios where id = 's'${forShare(tx.dialect)}`))).toEqual([{ id: 's' }]);
  });
});
