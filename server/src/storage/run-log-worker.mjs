// The run log's writer thread: its own connection to the SQLite file, so checking and inserting API
// runs never runs on the thread that answers requests. Plain JavaScript so it loads without the
// TypeScript loader. workerData: { file, check } (RunWriteCheck, see run-log-rows.d.mts).
// Messages in: { type: 'batch', rows } (RunRow[]) and { type: 'close' }; out: { type: 'written', ids }
// after each commit, { type: 'closed' }.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createRunWriter } from './run-log-rows.mjs';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');

const writeBatch = createRunWriter(db, workerData.check);

parentPort.on('message', (message) => {
  if (message.type === 'batch') {
    try {
      writeBatch(message.rows);
    } catch (error) {
      console.error(`[mofang] ${message.rows.length} API runs not logged: ${error instanceof Error ? error.message : String(error)}`);
    }
    parentPort.postMessage({ type: 'written', ids: message.rows.map((r) => r.id) });
  } else if (message.type === 'close') {
    db.close();
    parentPort.postMessage({ type: 'closed' });
  }
});
