/**
 * Fills `users.name_key` (the NFKC, lower-cased login name, unique) for rows written before it existed,
 * once, right after the migrations. Older versions let `root`, `Root` and `ROOT` (or `admin` and
 * full-width `ａｄｍｉｎ`) coexist: the oldest keeps its name, and each later one is renamed
 * `<name>-2`, `<name>-3`, … (the first free one), since two accounts cannot share a key. The renames are
 * returned so that the caller says them (an admin tells those users their new login name).
 */
import { asc, eq, isNull } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { nameKey } from '@shared/users.js';
import * as schema from './schema.js';

/** A login name changed because it collided with an older user's once normalised. */
export interface NameKeyRename {
  id: string;
  from: string;
  to: string;
}

/**
 * Fills every missing name key; returns the renames (usually none). Run it inside one write transaction
 * (`openStoreFile` does, with `writeTransaction`).
 */
export function fillNameKeys(tx: Pick<BetterSQLite3Database<typeof schema>, 'select' | 'update'>): NameKeyRename[] {
  const { users } = schema;
  const missing = tx.select({ id: users.id, name: users.name }).from(users).where(isNull(users.nameKey)).orderBy(asc(users.createdAt), asc(users.id)).all();
  if (missing.length === 0) return [];
  const renames: NameKeyRename[] = [];
  const keyTaken = (key: string) => tx.select({ id: users.id }).from(users).where(eq(users.nameKey, key)).get() !== undefined;
  const nameTaken = (name: string) => tx.select({ id: users.id }).from(users).where(eq(users.name, name)).get() !== undefined;
  for (const row of missing) {
    let name = row.name;
    for (let n = 2; keyTaken(nameKey(name)) || (name !== row.name && nameTaken(name)); n++) name = `${row.name.slice(0, 63 - String(n).length)}-${n}`;
    tx.update(users).set({ name, nameKey: nameKey(name) }).where(eq(users.id, row.id)).run();
    if (name !== row.name) renames.push({ id: row.id, from: row.name, to: name });
  }
  return renames;
}
