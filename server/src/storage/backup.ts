/**
 * An online backup of the SQLite store: SQLite's backup API (better-sqlite3's `db.backup()`) copies the
 * database page by page from its own connection, so a server may keep running and writing meanwhile.
 * The copy is taken in one step: in WAL mode that step reads one snapshot (consistent, as of its start)
 * and blocks no writer; in several steps, every write by the server between two steps would restart
 * the copy, and a busy server could keep it from ever finishing.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** A backup that cannot be made: a stable code and an English sentence. */
export class BackupError extends Error {
  constructor(
    readonly code: 'backup_no_database' | 'backup_target_exists' | 'backup_target_dir_missing' | 'backup_same_file' | 'backup_check_failed',
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** What a backup wrote. */
export interface BackupResult {
  /** Absolute path of the copy. */
  file: string;
  bytes: number;
  pages: number;
}

/**
 * Copies the SQLite database `source` to `target` while other connections may write to it, checks the
 * copy (`PRAGMA quick_check`), and only then gives it its name: a failed backup leaves no file that looks
 * like one. Refuses a `target` that exists unless `replace`.
 */
export async function backupSqlite(source: string, target: string, options: { replace?: boolean } = {}): Promise<BackupResult> {
  const from = path.resolve(source);
  const to = path.resolve(target);
  if (!existsSync(from)) throw new BackupError('backup_no_database', `no database at "${from}" (is MOFANG_DATA_DIR the server's data directory?)`);
  if (from === to) throw new BackupError('backup_same_file', 'the backup would overwrite the database itself: choose another file');
  if (!existsSync(path.dirname(to))) throw new BackupError('backup_target_dir_missing', `the folder "${path.dirname(to)}" does not exist`);
  if (existsSync(to) && !options.replace) throw new BackupError('backup_target_exists', `"${to}" exists: pass --force to replace it`);
  const partial = `${to}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  const db = new Database(from, { fileMustExist: true });
  let pages = 0;
  try {
    // The server holds the write lock for a moment at a time; wait for it as the server's own connections do.
    db.pragma('busy_timeout = 5000');
    const done = await db.backup(partial, {
      // Every remaining page in the next step: one snapshot, never restarted by the server's writes.
      progress: ({ totalPages }) => Math.max(totalPages, 1),
    });
    pages = done.totalPages;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  try {
    checkCopy(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, to);
  return { file: to, bytes: statSync(to).size, pages };
}

/** Opens the copy on its own and asks SQLite to check it; throws `backup_check_failed` unless it says ok. */
function checkCopy(file: string): void {
  const copy = new Database(file, { fileMustExist: true });
  try {
    // The copy carries the source's WAL mode; a backup file is easier to move about as one file.
    copy.pragma('journal_mode = DELETE');
    const result: unknown = copy.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new BackupError('backup_check_failed', `the copy failed SQLite's check: ${String(result)}`);
  } finally {
    copy.close();
  }
}
