/**
 * `mofang backup <file>`: the compiled CLI, as its own process, copies the database of a running server
 * while that server keeps writing; the copy opens on its own, passes SQLite's integrity check and holds
 * every scenario written before the backup began. Refusals carry stable codes.
 */
import { sqliteOnly } from './test-store.js';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mofang, mofangBin } from './cli-helpers.js';
import { call, echoGraph, removeDir, startTestServer, tempDir, type TestServer } from './helpers.js';

let server: TestServer;
const dir = tempDir('mofang-backup-');
const out = tempDir('mofang-backup-out-');
beforeAll(async () => {
  server = await startTestServer(dir);
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
  removeDir(out);
});

async function createScenario(n: number): Promise<void> {
  const res = await call(server.url, 'POST', '/api/scenarios', { name: `backup ${n}`, graph: echoGraph(`backup ${n}`) });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
}

// `mofang backup` copies the SQLite file; PostgreSQL is backed up with pg_dump (docs/deployment.md).
describe.skipIf(sqliteOnly)('mofang backup', () => {
  it('copies the database of a running server while it writes; the copy opens and is whole', async () => {
    for (let n = 0; n < 20; n++) await createScenario(n);
    let writing = true;
    let written = 20;
    const writer = (async () => {
      while (writing) await createScenario(written++);
    })();
    const file = path.join(out, 'mofang.db');
    const result = await mofangBin(['backup', file], { MOFANG_DATA_DIR: dir });
    const writtenDuringBackup = written - 20;
    writing = false;
    await writer;

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed: unknown = JSON.parse(result.stdout);
    expect(printed).toMatchObject({ file, pages: expect.any(Number), bytes: expect.any(Number) });
    // The server wrote while the backup ran (the copy is of a live database).
    expect(writtenDuringBackup).toBeGreaterThan(0);

    const copy = new Database(file, { readonly: true, fileMustExist: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      const row: unknown = copy.prepare('select count(*) as n from scenarios').get();
      const count = typeof row === 'object' && row !== null && 'n' in row ? Number(row.n) : -1;
      expect(count).toBeGreaterThanOrEqual(20);
      expect(count).toBeLessThanOrEqual(written);
    } finally {
      copy.close();
    }
    // One file: no WAL or partial file left beside it.
    expect(readdirSync(out)).toEqual(['mofang.db']);
  }, 60_000);

  it('refuses to overwrite a file unless --force, and says when there is no database', async () => {
    const file = path.join(out, 'taken.db');
    writeFileSync(file, 'not a database');
    const refused = await mofang(['backup', file], { MOFANG_DATA_DIR: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('backup_target_exists');

    const forced = await mofang(['backup', file, '--force'], { MOFANG_DATA_DIR: dir });
    expect(forced.code).toBe(0);
    const copy = new Database(file, { readonly: true, fileMustExist: true });
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    copy.close();

    const empty = tempDir('mofang-backup-empty-');
    try {
      const none = await mofang(['backup', path.join(out, 'none.db')], { MOFANG_DATA_DIR: empty });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('backup_no_database');
      expect(existsSync(path.join(out, 'none.db'))).toBe(false);
      const missingDir = await mofang(['backup', path.join(out, 'no-such-folder', 'x.db')], { MOFANG_DATA_DIR: dir });
      expect(missingDir.stderr).toContain('backup_target_dir_missing');
      const same = await mofang(['backup', path.join(dir, 'mofang.db'), '--force'], { MOFANG_DATA_DIR: dir });
      expect(same.stderr).toContain('backup_same_file');
    } finally {
      removeDir(empty);
    }
  });
});
