import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStoreFile, writeTransaction, type Store } from './db.js';
import { fillNameKeys } from './name-keys.js';
import { getUserByName } from '../users/users.js';
import { dataStoreOf } from './store.js';

let store: Store;
beforeEach(() => {
  store = openStoreFile(':memory:');
});
afterEach(() => store.close());

function oldRow(id: string, name: string, createdAt: number) {
  // As a version before name_key wrote it: no key.
  store.db.run(sql`INSERT INTO users (id, name, display_name, role, created_at, updated_at) VALUES (${id}, ${name}, ${name}, 'viewer', ${createdAt}, ${createdAt})`);
}

describe('filling login name keys for older rows', () => {
  it('keys every row; of names equal without case or width the oldest keeps its name, later ones become name-2, name-3', async () => {
    oldRow('a', 'root', 1);
    oldRow('b', 'ROOT', 2);
    oldRow('c', 'Root', 3);
    oldRow('d', 'ａｄｍｉｎ', 4);
    oldRow('e', 'admin', 5);
    oldRow('f', 'root-2', 0);
    oldRow('g', 'аdmin', 6); // Cyrillic а: another key, kept as it is
    const renames = writeTransaction(store.db, (tx) => fillNameKeys(tx));
    expect(renames).toEqual([
      { id: 'b', from: 'ROOT', to: 'ROOT-3' },
      { id: 'c', from: 'Root', to: 'Root-4' },
      { id: 'e', from: 'admin', to: 'admin-2' },
    ]);
    const rows = store.db.all<{ id: string; name: string; name_key: string }>(sql`SELECT id, name, name_key FROM users ORDER BY id`);
    expect(rows.map((r) => [r.id, r.name, r.name_key])).toEqual([
      ['a', 'root', 'root'],
      ['b', 'ROOT-3', 'root-3'],
      ['c', 'Root-4', 'root-4'],
      ['d', 'ａｄｍｉｎ', 'admin'],
      ['e', 'admin-2', 'admin-2'],
      ['f', 'root-2', 'root-2'],
      ['g', 'аdmin', 'аdmin'],
    ]);
    expect((await getUserByName(dataStoreOf(store.db), 'ADMIN'))?.id).toBe('d');
    expect(writeTransaction(store.db, (tx) => fillNameKeys(tx))).toEqual([]);
  });
});
