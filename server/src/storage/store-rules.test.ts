/**
 * The DataStore rule of docs/postgres.md, enforced: a file that takes the {@link DataStore} (imports it
 * from storage/store.ts) runs on PostgreSQL too, so it never calls SQLite-only API: better-sqlite3's
 * synchronous `.get()` / `.all()` / `.run()` on a query, `sqliteOf` (raw prepared statements) or
 * `writeTransaction` (better-sqlite3's synchronous transaction). Files that still take the SQLite `Db`
 * are not checked; they are the ones left to move.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('..', import.meta.url));
/** The store's own SQLite side, and the SQLite-to-PostgreSQL copy, are SQLite by design. */
const EXEMPT = new Set(['storage/store.ts', 'storage/pg/copy-sqlite.ts', 'storage/testing-stores.ts']);
/** Files that hold both forms while their callers move; the sync form goes with the last caller. */
const BOTH_FORMS = new Set(['audit/record.ts']);
const SQLITE_ONLY = [/\.(get|all|run)\(\s*\)/, /\bsqliteOf\(/, /\bwriteTransaction(Raw)?\(/];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return /\.(ts|mts)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [file] : [];
  });
}

describe('DataStore rule', () => {
  it('no file that takes the DataStore calls SQLite-only API', () => {
    const offenders: string[] = [];
    let checked = 0;
    for (const file of sources(src)) {
      const rel = path.relative(src, file).split(path.sep).join('/');
      const text = readFileSync(file, 'utf8');
      if (EXEMPT.has(rel) || BOTH_FORMS.has(rel) || !/import[^;]*\bDataStore\b[^;]*from '[^']*store\.js'/s.test(text)) continue;
      checked++;
      text.split('\n').forEach((line, i) => {
        if (SQLITE_ONLY.some((re) => re.test(line))) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(checked).toBeGreaterThan(3);
    expect(offenders).toEqual([]);
  });
});
