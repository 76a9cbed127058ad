/**
 * The store the repositories take: SQLite (embedded, what `npm start` uses) or PostgreSQL
 * (`MOFANG_DATABASE_URL`, several servers over one database), behind one asynchronous interface, so each
 * repository is written once.
 *
 * - `db` is a drizzle handle and `t` the dialect's tables. Both are typed as the SQLite ones: the
 *   PostgreSQL tables have the same row types (storage/pg/schema-parity.test.ts fails otherwise) and the
 *   query builders the same shape for what repositories use (select/insert/update/delete, where,
 *   orderBy, limit, returning, onConflictDoNothing/DoUpdate). Repositories `await` queries and never call
 *   the SQLite-only `.get()`, `.all()`, `.run()` (tests/architecture.test.ts holds them to it); dialect
 *   SQL (JSON paths, `max` of two values…) comes from `dialectSql` (./dialect-sql.ts).
 * - `transaction(fn)` runs `fn` with a store bound to the transaction; a transaction's own store nests
 *   with savepoints. Every write that belongs with others goes in one.
 *
 * SQLite has one connection and better-sqlite3's transactions cannot wait on a promise, so its
 * transactions are `BEGIN IMMEDIATE … COMMIT` issued here, one at a time (a queue), and a transaction of
 * this store started from inside one (the same async context, AsyncLocalStorage) becomes a savepoint
 * rather than waiting for itself. A query outside any transaction runs at once on the connection: while
 * another transaction is open it reads that transaction's writes (one connection), so code in a SQLite
 * transaction awaits only the store, keeping it open for microseconds. PostgreSQL's are drizzle's
 * (`pool.connect`, `BEGIN`, savepoints for nested ones) at READ COMMITTED.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import { schema, type Db, type Store } from './db.js';
import { sqliteOf } from './sqlite.js';

export type Dialect = 'sqlite' | 'postgres';
/** Every table, typed as the SQLite schema (the PostgreSQL tables have the same row types). */
export type Tables = typeof schema;

export interface DataStore {
  readonly dialect: Dialect;
  readonly db: Db;
  readonly t: Tables;
  /** Runs `fn` in a transaction (a savepoint when this store is one already); commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: DataStore) => Promise<T>): Promise<T>;
}

/** An open store: a {@link DataStore} that can be closed. */
export interface OpenDataStore extends DataStore {
  close(): Promise<void>;
}

/** One DataStore per SQLite connection: two would each queue their transactions and interleave them. */
const ofConnection = new WeakMap<Db, DataStore>();

/**
 * The DataStore of an open SQLite `Db` (made once per connection). While repositories move to the
 * DataStore, code still handed a `Db` reaches the moved ones through it.
 */
export function dataStoreOf(db: Db): DataStore {
  let store = ofConnection.get(db);
  if (!store) {
    store = sqliteStore(db, sqliteOf(db), schema);
    ofConnection.set(db, store);
  }
  return store;
}

/** An open SQLite store (`openStore` / `openStoreFile` of ./db.ts) as a {@link OpenDataStore}; closing it closes the file. */
export function sqliteDataStore(store: Store): OpenDataStore {
  return { ...dataStoreOf(store.db), close: async () => store.close() };
}

/** The SQLite store over an open better-sqlite3 connection and its drizzle handle. */
export function sqliteStore(db: Db, sqlite: Database.Database, t: Tables): DataStore {
  const inside = new AsyncLocalStorage<DataStore>();
  let queue: Promise<unknown> = Promise.resolve();
  let savepoints = 0;

  /** Runs `fn` between `begin` and `commit`, undoing with `rollback` when it throws. */
  const bracket = async <T>(tx: DataStore, sql: { begin: string; commit: string; rollback: string }, fn: (tx: DataStore) => Promise<T>): Promise<T> => {
    sqlite.exec(sql.begin);
    let result: T;
    try {
      result = await inside.run(tx, () => fn(tx));
    } catch (error) {
      sqlite.exec(sql.rollback);
      throw error;
    }
    sqlite.exec(sql.commit);
    return result;
  };

  const nested = (tx: DataStore) => <T>(fn: (tx: DataStore) => Promise<T>): Promise<T> => {
    const name = `mofang_sp_${++savepoints}`;
    return bracket(tx, { begin: `savepoint ${name}`, commit: `release ${name}`, rollback: `rollback to ${name}; release ${name}` }, fn);
  };

  const tx: DataStore = { dialect: 'sqlite', db, t, transaction: (fn) => nested(tx)(fn) };
  const root: DataStore = {
    dialect: 'sqlite',
    db,
    t,
    transaction<T>(fn: (tx: DataStore) => Promise<T>): Promise<T> {
      // Called from inside a transaction of this store (by code not handed its `tx`): a savepoint in it.
      if (inside.getStore()) return nested(tx)(fn);
      const run = queue.then(() => bracket(tx, { begin: 'begin immediate', commit: 'commit', rollback: 'rollback' }, fn));
      queue = run.catch(() => undefined);
      return run;
    },
  };
  return root;
}
