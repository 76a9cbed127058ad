/**
 * `mofang backup <file>`: an online copy of the data directory's SQLite database, safe while a server
 * runs on it (see ../storage/backup.ts). Restoring is a file copy with the server stopped: see
 * docs/deployment.md.
 */
import path from 'node:path';
import { loadConfig } from '../config.js';
import { BackupError, backupSqlite } from '../storage/backup.js';
import { CliError } from './errors.js';
import { printJson, type CliIo } from './io.js';

/** Copies `<MOFANG_DATA_DIR>/mofang.db` to `file`; prints `{ file, bytes, pages, seconds }`; 0 on success. */
export async function backupCommandAction(file: string, opts: { force?: boolean }, io: CliIo): Promise<number> {
  const source = path.join(loadConfig(io.env).dataDir, 'mofang.db');
  const started = performance.now();
  try {
    const result = await backupSqlite(source, file, { replace: opts.force === true });
    printJson(io, { ...result, seconds: Math.round(performance.now() - started) / 1000 });
    return 0;
  } catch (error) {
    if (error instanceof BackupError) throw new CliError(`${error.code}: ${error.message}`);
    throw error;
  }
}
