import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { eq } from 'drizzle-orm';
import { openStore, schema, writeTransaction, type Db, type Store } from './db.js';
import { createScenarioNow } from './scenarios.testing.js';

/** A scenario's name, read synchronously (inside a synchronous write transaction). */
function nameOf(db: Db, id: string): string | undefined {
  return db.select({ name: schema.scenarios.name }).from(schema.scenarios).where(eq(schema.scenarios.id, id)).get()?.name;
}

const graph: Graph = { schema: GRAPH_FORMAT, name: 'g', nodes: [], edges: [] };
const cleanup: Array<() => void> = [];

afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function twoConnections(): { store: Store; other: Database.Database } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-tx-'));
  const store = openStore(dir);
  // A second connection on the same file, like the run-log writer's worker or a CLI command.
  const other = new Database(path.join(dir, 'mofang.db'));
  other.pragma('busy_timeout = 0');
  cleanup.push(() => {
    other.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, other };
}

describe('write transactions', () => {
  it('take the write lock at BEGIN, so a read-then-write cannot fail with SQLITE_BUSY_SNAPSHOT', () => {
    const { store, other } = twoConnections();
    const { id } = createScenarioNow(store.db, { name: 'a', graph });
    writeTransaction(store.db, () => {
      expect(nameOf(store.db, id)).toBe('a');
      // A deferred transaction would still be a reader here: the other connection's write would succeed and
      // this transaction's write below would then fail with SQLITE_BUSY_SNAPSHOT (a 500 in the CI run).
      expect(() => other.prepare(`update scenarios set name = 'b' where id = ?`).run(id)).toThrow(/database is locked/);
      createScenarioNow(store.db, { name: 'c', graph });
    });
    // Once committed, the other connection writes as usual.
    expect(other.prepare(`update scenarios set name = 'b' where id = ?`).run(id).changes).toBe(1);
    expect(nameOf(store.db, id)).toBe('b');
  });

  it('is how every server transaction that writes begins (read-only snapshots excepted)', () => {
    const src = fileURLToPath(new URL('..', import.meta.url));
    const readOnly = new Set(['jobs/dashboard-reader.ts', 'jobs/dashboard-worker.mjs']);
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(ts|mjs)$/.test(entry.name) && !entry.name.includes('.test.')) {
          const rel = path.relative(src, full).split(path.sep).join('/');
          if (rel === 'storage/db.ts' || readOnly.has(rel)) continue;
          const text = readFileSync(full, 'utf8');
          // A raw `sqlite.transaction(fn)` is allowed only when every call goes through `.immediate(…)`.
          for (const m of text.matchAll(/(\w+)\s*=\s*\w+\.transaction\(/g)) {
            if (!text.includes(`${m[1]}.immediate(`)) offenders.push(`${rel}: ${m[0]}`);
          }
          for (const m of text.matchAll(/\.transaction\([^)]*\)\s*\(/g)) offenders.push(`${rel}: ${m[0]}`);
          if (/(?<!=\s*)\bdb\.transaction\(/.test(text)) offenders.push(`${rel}: db.transaction(`);
        }
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
  });
});
