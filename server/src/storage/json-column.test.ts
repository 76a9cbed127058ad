/**
 * The JSON column type reads a stored text that is not JSON as its marker instead of throwing, and the
 * guarded json_extract answers null instead of SQLite's "malformed JSON".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { UNREADABLE_GRAPH_FORMAT } from '@shared/graph.js';
import { lineGraph } from '../engine/testing.js';
import { openStoreFile, type Store } from './db.js';
import { jsonExtractSql } from './json-column.js';
import { apiKeys } from './schema.js';
import { createScenario, getScenario, listScenarios } from './scenarios.js';
import { dataStoreOf } from './store.js';
import { sqliteOf } from './sqlite.js';

let store: Store | undefined;
afterEach(() => store?.close());

describe('jsonColumn', () => {
  it('reads a damaged graph as the unreadable graph, and the list still lists every scenario', async () => {
    store = openStoreFile(':memory:');
    const data = dataStoreOf(store.db);
    const damaged = await createScenario(data, { name: 'damaged', graph: lineGraph([], []) });
    const good = await createScenario(data, { name: 'good', graph: lineGraph([], []) });
    sqliteOf(store.db).prepare('update scenarios set graph = ? where id = ?').run('{"nodes":[', damaged.id);
    expect((await getScenario(data, damaged.id))?.graph).toEqual({ schema: UNREADABLE_GRAPH_FORMAT, name: '', nodes: [], edges: [] });
    expect((await getScenario(data, good.id))?.graph.nodes.length).toBeGreaterThan(0);
    expect((await listScenarios(data)).map((s) => [s.name, s.node_count]).sort()).toEqual([
      ['damaged', 0],
      ['good', 2],
    ]);
  });

  it("reads a key's damaged scenario list as none (never null, which would allow every scenario); SQL null stays null", () => {
    store = openStoreFile(':memory:');
    const row = { name: 'k', prefix: 'p', createdAt: 1 };
    store.db.insert(apiKeys).values([{ ...row, id: 'a', hash: 'ha', scenarios: ['x'] }, { ...row, id: 'b', hash: 'hb', scenarios: null }]).run();
    sqliteOf(store.db).prepare("update api_keys set scenarios = 'not json' where id = 'a'").run();
    expect(store.db.select().from(apiKeys).where(eq(apiKeys.id, 'a')).get()?.scenarios).toEqual([]);
    expect(store.db.select().from(apiKeys).where(eq(apiKeys.id, 'b')).get()?.scenarios).toBeNull();
  });

  it('jsonExtractSql answers null for text SQLite cannot read as JSON, where json_extract throws', () => {
    store = openStoreFile(':memory:');
    const db = sqliteOf(store.db);
    const deep = '['.repeat(1200) + ']'.repeat(1200);
    for (const text of ['{"code":', deep]) {
      expect(() => db.prepare("select json_extract(?, '$.code') as v").get(text)).toThrow(/malformed JSON/);
      expect(db.prepare(`select ${jsonExtractSql('t', '$.code')} as v from (select ? as t)`).get(text)).toEqual({ v: null });
    }
    expect(db.prepare(`select ${jsonExtractSql('t', '$.code')} as v from (select ? as t)`).get('{"code":"x"}')).toEqual({ v: 'x' });
  });
});
