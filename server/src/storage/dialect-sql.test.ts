import { describe, expect, it } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import { binaryText, greatest, jsonNumber, jsonText, least, rawRows, readableJson } from './dialect-sql.js';
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
