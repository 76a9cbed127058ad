// The dashboard's reader thread: its own read-only connection to the SQLite file, so aggregating the
// outputs of a 100 000-item job (seconds of json_each) never blocks the thread that answers live runs
// and feeds the job runner. Plain JavaScript so it loads without the TypeScript loader.
// In: { id, queries: [{ sql, params: [positional values] }] }; out: { id, results: rows[][] } or { id, error }.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map();

function prepared(sql) {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (statements.size > 100) statements.clear();
    statements.set(sql, statement);
  }
  return statement;
}

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    process.exit(0);
  }
  try {
    // One read transaction: every query of a request sees the same snapshot.
    const results = db.transaction(() => message.queries.map((q) => prepared(q.sql).all(q.params)))();
    parentPort.postMessage({ id: message.id, results });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
