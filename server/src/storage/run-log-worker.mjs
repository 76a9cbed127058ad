// The run log's writer thread: its own connection to the SQLite file, so serialising and inserting API
// runs (about 0.1 ms each with their events) never runs on the thread that answers requests. Plain
// JavaScript so it loads without the TypeScript loader. Messages in: { type: 'batch', records } and
// { type: 'close' }; out: { type: 'written', ids } after each commit, { type: 'closed' }.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');

const insertRun = db.prepare(
  `insert into runs (id, scenario_id, kind, status, inputs, outputs, error, usage, latency_ms, model, version, api_key_id, created_at, finished_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const insertEvent = db.prepare('insert into run_events (run_id, seq, type, node_id, data) values (?, ?, ?, ?, ?)');
const deleteEvents = db.prepare('delete from run_events where run_id = ?');
const deleteRun = db.prepare('delete from runs where id = ?');
const json = (v) => (v === undefined || v === null ? null : JSON.stringify(v));

const writeBatch = db.transaction((records) => {
  for (const r of records) {
    try {
      insertRun.run(r.id, r.scenarioId, r.kind ?? 'api', r.status, json(r.inputs), json(r.outputs), json(r.error), json(r.usage), Math.round(r.latencyMs), r.model, r.version, r.apiKeyId, r.createdAt, r.finishedAt);
      for (let seq = 0; seq < r.events.length; seq++) {
        const e = r.events[seq];
        insertEvent.run(r.id, seq, e.type, typeof e.node_id === 'string' ? e.node_id : null, JSON.stringify(e));
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      try {
        // A value that cannot be written: the run is kept, failed, saying why.
        deleteEvents.run(r.id);
        deleteRun.run(r.id);
        insertRun.run(r.id, r.scenarioId, r.kind ?? 'api', 'failed', null, null, JSON.stringify({ code: 'log_write_failed', message: `the run could not be stored as it was: ${reason}` }), json(r.usage), Math.round(r.latencyMs), r.model, r.version, r.apiKeyId, r.createdAt, r.finishedAt);
      } catch {
        // Typically the scenario was deleted while the run was queued: that run is dropped, not the batch.
        console.error(`[mofang] run ${r.id} not logged: ${reason}`);
      }
    }
  }
});

parentPort.on('message', (message) => {
  if (message.type === 'batch') {
    try {
      writeBatch.immediate(message.records);
    } catch (error) {
      console.error(`[mofang] ${message.records.length} API runs not logged: ${error instanceof Error ? error.message : String(error)}`);
    }
    parentPort.postMessage({ type: 'written', ids: message.records.map((r) => r.id) });
  } else if (message.type === 'close') {
    db.close();
    parentPort.postMessage({ type: 'closed' });
  }
});
