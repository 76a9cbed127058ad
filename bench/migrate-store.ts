/**
 * `npm run bench:migrate`: `mofang migrate-store` on a generated data directory (MOFANG_BENCH_RUNS runs,
 * default 200,000, each with ~1.5 KB of events and outputs, half as many job items) into a throwaway
 * PostgreSQL (storage/pg/testing.ts; MOFANG_TEST_PG_PORTS). Prints the command's table, rows per second
 * and the process's peak RSS, which stays flat as the run count grows (the copy is streamed).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../server/src/storage/db.js';
import { sqliteOf } from '../server/src/storage/sqlite.js';
import { startTestPostgres } from '../server/src/storage/pg/testing.js';
import { runCli } from '../server/src/cli/index.js';

const runs = Number(process.env.MOFANG_BENCH_RUNS ?? 200_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'mofang-bench-migrate-'));
const server = await startTestPostgres({ database: 'bench_migrate' });
try {
  const store = openStore(dir);
  const sqlite = sqliteOf(store.db);
  const graph = JSON.stringify({ schema: 'mofang.graph/v1', name: 'bench', nodes: [], edges: [] });
  sqlite.prepare('insert into scenarios (id, name, graph, created_at, updated_at) values (?, ?, ?, 1, 1)').run('s1', 'bench', graph);
  sqlite.prepare(`insert into jobs (id, scenario_id, slug, version, owner, status, total, body_hash, created_at) values ('j1', 's1', 'bench', 1, 'k', 'completed', ?, 'h', 1)`).run(Math.floor(runs / 2));
  const events = JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ type: 'node.finished', nodeId: `n${i}`, at: 1_700_000_000_000 + i, data: { text: '客户反映宽带断网，要求尽快上门维修。'.repeat(4) } })));
  const outputs = JSON.stringify({ verdict: 'pass', score: 87, reasons: ['礼貌用语', '核实身份'], summary: '宽带故障报修' });
  const insertRun = sqlite.prepare(`insert into runs (id, scenario_id, kind, status, inputs, outputs, usage, latency_ms, model, created_at, finished_at, events) values (?, 's1', 'api', 'succeeded', ?, ?, '{"input_tokens":120,"output_tokens":40}', 812, 'fast', ?, ?, ?)`);
  const insertItem = sqlite.prepare(`insert into job_items (job_id, seq, item_id, inputs, status, attempts, run_id, outputs, latency_ms, started_at, finished_at) values ('j1', ?, ?, '{"transcript":"坐席：您好"}', 'succeeded', 1, ?, ?, 800, 1, 2)`);
  const made = performance.now();
  for (let start = 0; start < runs; start += 10_000) {
    sqlite.transaction(() => {
      for (let i = start; i < Math.min(runs, start + 10_000); i++) {
        insertRun.run(`r${i}`, `{"transcript":"坐席：您好 ${i}"}`, outputs, 1_700_000_000_000 + i, 1_700_000_000_800 + i, events);
        if (i % 2 === 0) insertItem.run(i / 2 + 1, `item-${i}`, `r${i}`, outputs);
      }
    })();
  }
  store.close();
  const bytes = statSync(path.join(dir, 'mofang.db')).size;
  process.stderr.write(`made ${runs} runs (${(bytes / 1e6).toFixed(0)} MB of SQLite) in ${((performance.now() - made) / 1000).toFixed(1)} s\n`);

  let out = '';
  const started = performance.now();
  const code = await runCli(['migrate-store', '--to', server.url, '--from', dir], { stdout: (t) => void (out += t), stderr: (t) => process.stderr.write(t), env: process.env });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(out);
  const total = runs + Math.floor(runs / 2);
  process.stdout.write(`exit ${code}; ${total} rows (${(bytes / 1e6).toFixed(0)} MB) in ${seconds.toFixed(1)} s: ${Math.round(total / seconds)} rows/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
