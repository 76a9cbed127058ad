/**
 * `npm run bench:loop`: does the server's event loop stay free while it does its heaviest work for one
 * caller? The server runs in this process (simulator at zero latency, a temporary data dir); around each
 * operation `perf_hooks.monitorEventLoopDelay` (10 ms resolution) records the longest stall, and a
 * `GET /api/health` every 20 ms records how long another caller waited. Operations: submitting a
 * 100,000-item job as JSONL, CSV, a JSON body and an .xlsx sheet, and exporting 100,000 results as
 * JSONL and CSV. Target: no stall over 100 ms.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { GRAPH_FORMAT, type Graph } from '../shared/src/graph.js';
import { loadConfig } from '../server/src/config.js';
import { noServices } from '../server/src/engine/testing.js';
import { startServer } from '../server/src/http/server.js';
import { publishDraft } from '../server/src/publish/publish.js';
import { openStore } from '../server/src/storage/db.js';
import iconv from 'iconv-lite';
import { createScenario } from '../server/src/storage/scenarios.js';
import { buildXlsx } from './xlsx-fixture.js';

const N = Number(process.env.MOFANG_BENCH_ITEMS ?? 100_000);
const TARGET_MS = 100;
/** `MOFANG_BENCH_ONLY=export,csv` runs only those steps (jsonl, csv, gbk, json, xlsx, export). */
const ONLY = process.env.MOFANG_BENCH_ONLY?.split(',');
const runs = (step: string) => !ONLY || ONLY.includes(step);

const graph: Graph = {
  schema: GRAPH_FORMAT,
  name: 'loop',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }, { name: 'agent', type: 'string', required: false }] } },
    { id: 'end', kind: 'end', version: 1, position: { x: 300, y: 0 }, config: { outputs: [{ name: 'reply', value: '{{ start.transcript.text }}' }] } },
  ],
  edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }],
};

/** A transcript of ≈ 300 characters, different for every item. */
function transcript(i: number): string {
  return `坐席：您好，这里是电信客服，请问有什么可以帮您？\n客户：我家宽带从昨天晚上开始就断了，编号 ${i}，路由器灯一直红。\n坐席：好的，我帮您查一下线路，请稍等。\n客户：麻烦快点，我明天还要在家办公，已经是第二次了。\n坐席：已为您提交报修工单，师傅两小时内联系您。`;
}

interface Measured {
  operation: string;
  stallMs: number;
  pingMs: number;
  seconds: number;
  note: string;
}

/** Runs `work` with the loop monitor and a 20 ms ping on; returns the longest stall and the slowest ping. */
async function measure(operation: string, base: string, work: () => Promise<string>): Promise<Measured> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  let pingMs = 0;
  let pinging = true;
  // A ping is due 20 ms after the last answer; its wait counts from then, so a stall that starts
  // between two pings is counted as well.
  const pinger = (async () => {
    while (pinging) {
      const due = performance.now() + 20;
      await new Promise((r) => setTimeout(r, 20));
      await (await fetch(`${base}/api/health`)).arrayBuffer();
      pingMs = Math.max(pingMs, performance.now() - due);
    }
  })();
  const t0 = performance.now();
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs = Math.max(gcMs, entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  histogram.enable();
  const note = await work();
  histogram.disable();
  gc.disconnect();
  const seconds = (performance.now() - t0) / 1000;
  pinging = false;
  await pinger;
  return { operation, stallMs: histogram.max / 1e6, pingMs, seconds, note: `${note}; longest GC pause ${gcMs.toFixed(0)} ms` };
}

type Post = (body: Uint8Array | string, contentType: string) => Promise<string>;

/** The steps, each building its input, then measuring only the request. Inputs go out of scope after. */
const STEPS: Array<{ key: string; run: (base: string, post: Post) => Promise<Measured> }> = [
  {
    key: 'jsonl',
    run: async (base, post) => {
      const body = Buffer.from(Array.from({ length: N }, (_, i) => JSON.stringify({ id: `c${i}`, inputs: { transcript: transcript(i), agent: `a${i % 50}` } })).join('\n'));
      return measure(`submit ${N.toLocaleString('en')}-item JSONL (${(body.length / 1e6).toFixed(0)} MB)`, base, () => post(body, 'application/x-ndjson'));
    },
  },
  {
    key: 'csv',
    run: async (base, post) => {
      const field = (s: string) => `"${s.replace(/"/g, '""')}"`;
      const body = Buffer.from(`id,transcript,agent\r\n${Array.from({ length: N }, (_, i) => `c${i},${field(transcript(i))},a${i % 50}`).join('\r\n')}\r\n`);
      return measure(`submit ${N.toLocaleString('en')}-row CSV (${(body.length / 1e6).toFixed(0)} MB)`, base, () => post(body, 'text/csv'));
    },
  },
  {
    key: 'gbk',
    run: async (base, post) => {
      const field = (s: string) => `"${s.replace(/"/g, '""')}"`;
      const body = iconv.encode(`id,transcript,agent\r\n${Array.from({ length: N }, (_, i) => `c${i},${field(transcript(i))},a${i % 50}`).join('\r\n')}\r\n`, 'gbk');
      return measure(`submit ${N.toLocaleString('en')}-row GBK CSV (${(body.length / 1e6).toFixed(0)} MB)`, base, () => post(body, 'text/csv'));
    },
  },
  {
    key: 'json',
    run: async (base, post) => {
      const body = JSON.stringify({ items: Array.from({ length: N }, (_, i) => ({ id: `c${i}`, inputs: { transcript: transcript(i), agent: `a${i % 50}` } })) });
      return measure(`submit ${N.toLocaleString('en')}-item JSON body (${(body.length / 1e6).toFixed(0)} MB)`, base, () => post(body, 'application/json'));
    },
  },
  {
    key: 'xlsx',
    run: async (base, post) => {
      const body = await buildXlsx(['id', 'transcript', 'agent'], N, (i) => [`c${i}`, transcript(i), `a${i % 50}`]);
      return measure(`submit ${N.toLocaleString('en')}-row .xlsx (${(body.length / 1e6).toFixed(0)} MB)`, base, () => post(body, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'));
    },
  },
];

/** A job whose N items have all finished, written straight into the store's file. */
function finishedJob(file: string, scenarioId: string): string {
  const jobId = 'bench-export';
  const sqlite = new Database(file);
  sqlite.prepare(`insert into jobs (id, scenario_id, slug, version, owner, status, total, body_hash, created_at, finished_at) values (?, ?, 'loop', 1, 'admin', 'completed', ?, 'bench', ?, ?)`).run(jobId, scenarioId, N, Date.now(), Date.now());
  const insert = sqlite.prepare(`insert into job_items (job_id, seq, item_id, inputs, status, attempts, run_id, outputs, finished_at) values (?, ?, ?, '{}', 'succeeded', 1, ?, ?, ?)`);
  const outputs = JSON.stringify({ reply: transcript(0) });
  sqlite.transaction(() => {
    for (let i = 1; i <= N; i++) insert.run(jobId, i, `c${i}`, `r-${i}`, outputs, Date.now());
  })();
  sqlite.close();
  return jobId;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-bench-loop-'));
  // The simulator with a little latency, as an endpoint has: a job's items then wait on I/O, as in use.
  const config = loadConfig({ MOFANG_SIM_TTFT_MS: '20', MOFANG_SIM_PER_TOKEN_MS: '0', PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dir });
  const server = await startServer(config, { signals: false, log: () => {}, staticDir: path.join(dir, 'none') });
  const store = openStore(dir);
  const results: Measured[] = [];
  try {
    const scenario = createScenario(store.db, { name: 'loop', graph });
    publishDraft(store.db, noServices, scenario.id, { slug: 'loop', note: 'bench' });
    const post: Post = async (body, contentType) => {
      const res = await fetch(`${server.url}/api/scenarios/${scenario.id}/jobs`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': contentType } });
      const json: unknown = await res.json();
      const reply = typeof json === 'object' && json !== null ? json : {};
      if (res.status !== 202 || !('job_id' in reply)) throw new Error(`submit: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      // Stop the job at once: running 100,000 items is not what is measured here.
      await fetch(`${server.url}/api/jobs/${String(reply.job_id)}/cancel`, { method: 'POST' });
      return `${'total' in reply ? String(reply.total) : '?'} items`;
    };
    // The floor: the same measurement while the server does nothing (a busy machine shows here).
    results.push(await measure('idle (3 s, nothing running)', server.url, async () => {
      await new Promise((r) => setTimeout(r, 3000));
      return 'baseline';
    }));
    for (const step of STEPS) if (runs(step.key)) results.push(await step.run(server.url, post));
    if (runs('export')) {
      const jobId = finishedJob(store.file, scenario.id);
      for (const format of ['jsonl', 'csv'] as const) {
        results.push(await measure(`export ${N.toLocaleString('en')} results as ${format}`, server.url, async () => {
          const res = await fetch(`${server.url}/api/jobs/${jobId}/results${format === 'csv' ? '?format=csv' : ''}`);
          const body = await res.arrayBuffer();
          return `${(body.byteLength / 1e6).toFixed(0)} MB`;
        }));
      }
    }
  } finally {
    await server.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const load = loadavg()[0].toFixed(1);
  console.log(`${N.toLocaleString('en')} items; ${cpus().length} CPUs, load average ${load} at the end (stalls include time the OS gave the CPU to other processes)`);
  const rows = [['operation', 'longest stall ms', 'slowest ping ms', 'target ms', 'took s', 'note']];
  for (const r of results) rows.push([r.operation, r.stallMs.toFixed(0), r.pingMs.toFixed(0), String(TARGET_MS), r.seconds.toFixed(1), r.note]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join(' | '));
  const over = results.filter((r) => r.stallMs > TARGET_MS);
  console.log(over.length === 0 ? `every operation kept the loop under ${TARGET_MS} ms` : `over ${TARGET_MS} ms: ${over.map((r) => r.operation).join('; ')}`);
  process.exitCode = over.length === 0 ? 0 : 1;
}

await main();
