/**
 * `npm run bench:loop`: does the server's event loop stay free while it does its heaviest work for one
 * caller? The server runs as its own process (`mofang start`, the simulator standing in, a temporary
 * data dir) with bench/loop-probe.mjs loaded: around each operation `perf_hooks.monitorEventLoopDelay`
 * (10 ms resolution) records the server's longest stall, and a `GET /api/health` every 20 ms from a
 * process of its own records how long another caller waited (on a machine short of CPU that includes
 * waiting for the CPU: a bare Node server streaming 32 MB showed the same). Operations: submitting a
 * 100,000-item job as JSONL, CSV, GBK CSV, a JSON body and an .xlsx sheet, exporting 100,000
 * results as JSONL and CSV, aggregating the dashboard over 100,000 audited calls, and compiling,
 * publishing and test-running a graph at the node limit (498 model nodes, each referencing the one
 * before). Target: no stall over 100 ms. `MOFANG_BENCH_PROFILE=dir` also writes the
 * server's CPU profile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import iconv from 'iconv-lite';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_FORMAT, type Graph } from '../shared/src/graph.js';
import { noServices } from '../server/src/engine/testing.js';
import { publishDraft } from '../server/src/publish/publish.js';
import { openStore } from '../server/src/storage/db.js';
import { createScenario } from '../server/src/storage/scenarios.js';
import { dataStoreOf } from '../server/src/storage/store.js';
import { buildXlsx } from './xlsx-fixture.js';
import { serverNodeFlags } from '../scripts/server-node-flags.mjs';
import { adminHeaders } from './jobs-procs.js';

const N = Number(process.env.MOFANG_BENCH_ITEMS ?? 100_000);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/mofang.mjs`;
const PROBE = new URL('./loop-probe.mjs', import.meta.url).href;
const TARGET_MS = 100;
/** `MOFANG_BENCH_ONLY=export,csv` runs only those steps (jsonl, csv, gbk, json, xlsx, export, dashboard, graph). */
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

/** The server process and its probe. */
interface Server {
  url: string;
  child: ChildProcess;
}

/** Asks the probe in the server for the longest stall since `start`. */
function probe(server: Server, message: 'start' | 'stop'): Promise<{ maxMs: number; gcMs: number } | undefined> {
  if (message === 'start') {
    server.child.send('start');
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    server.child.once('message', (reply: { maxMs: number; gcMs: number }) => resolve(reply));
    server.child.send('stop');
  });
}

/** Runs `work` with the server's loop monitor and a 20 ms ping on; the longest stall and the slowest ping. */
async function measure(operation: string, server: Server, work: () => Promise<string>): Promise<Measured> {
  // The pings come from a process of their own, so this one reading a 45 MB export does not delay them.
  // A ping is due 20 ms after the last answer and its wait counts from then.
  const pinger = spawn(
    process.execPath,
    [
      '-e',
      `let max = 0, on = true;
      process.on('message', () => { on = false; });
      (async () => {
        while (on) {
          const due = performance.now() + 20;
          await new Promise((r) => setTimeout(r, 20));
          await (await fetch(process.argv[1] + '/api/health')).arrayBuffer();
          max = Math.max(max, performance.now() - due);
        }
        process.send(max, () => process.exit(0));
      })();`,
      server.url,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const t0 = performance.now();
  await probe(server, 'start');
  const note = await work();
  const stall = await probe(server, 'stop');
  const seconds = (performance.now() - t0) / 1000;
  const pingMs = await new Promise<number>((resolve) => {
    pinger.once('message', (max: number) => resolve(max));
    pinger.send('stop');
  });
  return { operation, stallMs: stall?.maxMs ?? NaN, pingMs, seconds, note: `${note}; longest GC pause ${(stall?.gcMs ?? NaN).toFixed(0)} ms` };
}

/** Starts `mofang start` on a free port against `dir`, with the probe loaded. */
function startServerProcess(dir: string): Promise<Server> {
  // MOFANG_BENCH_PROFILE=dir writes the server's CPU profile there (to find what a stall was).
  const profile = process.env.MOFANG_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MOFANG_BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...serverNodeFlags(), ...profile, '--import', PROBE, BIN, 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dir, MOFANG_SIM_TTFT_MS: '20', MOFANG_SIM_PER_TOKEN_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Mofang on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve({ url: match[1], child });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${out}`)));
  });
}

type Post = (body: Uint8Array | string, contentType: string) => Promise<string>;

/** The steps, each building its input, then measuring only the request. Inputs go out of scope after. */
const STEPS: Array<{ key: string; run: (base: Server, post: Post) => Promise<Measured> }> = [
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

/** A graph at the node limit: start, 498 model nodes each reading the one before, end. */
function bigGraph(): Graph {
  const nodes: Graph['nodes'] = [graph.nodes[0]];
  const edges: Graph['edges'] = [];
  let prev = 'start';
  for (let i = 1; i <= 498; i++) {
    const source = prev === 'start' ? 'start.transcript.text' : `${prev}.text`;
    nodes.push({ id: `llm_${i}`, kind: 'llm', version: 1, position: { x: i * 10, y: 0 }, config: { system: '你是电信客服质检员。', user: `通话：{{ start.transcript.text }}\n上一步：{{ ${source} }}` } });
    edges.push({ id: `e${i}`, source: prev, sourcePort: 'out', target: `llm_${i}`, targetPort: 'in' });
    prev = `llm_${i}`;
  }
  nodes.push({ id: 'end', kind: 'end', version: 1, position: { x: 0, y: 0 }, config: { outputs: [{ name: 'reply', value: `{{ ${prev}.text }}` }] } });
  edges.push({ id: 'eend', source: prev, sourcePort: 'out', target: 'end', targetPort: 'in' });
  return { schema: GRAPH_FORMAT, name: '498 个节点', nodes, edges };
}

/** An audit-shaped scenario (score, verdict, items): what the dashboard reads. */
const auditGraph: Graph = {
  ...graph,
  name: 'loop-audit',
  nodes: [graph.nodes[0], { id: 'end', kind: 'end', version: 1, position: { x: 300, y: 0 }, config: { outputs: [{ name: 'score', value: '90' }, { name: 'verdict', value: 'pass' }, { name: 'items', value: '[]' }] } }],
};

/** Audit results as the call-quality-audit template gives them, varied per call. */
function auditOutputs(i: number): string {
  const result = (k: number) => (i % k === 0 ? 'fail' : 'pass');
  return JSON.stringify({
    score: 100 - (i % 41),
    verdict: i % 7 === 0 ? 'fail' : 'pass',
    items: [
      { id: 'greeting', name: '规范问候', result: result(5), fatal: false, evidence: ['t1'] },
      { id: 'verify', name: '核实身份', result: result(9), fatal: false, evidence: [] },
      { id: 'redline', name: '红线：泄露隐私', result: result(23), fatal: true, evidence: ['t3'] },
      { id: 'closing', name: '结束语', result: result(4), fatal: false, evidence: [] },
    ],
  });
}

/** A job whose N items have all finished, written straight into the store's file. */
function finishedJob(file: string, scenarioId: string, jobId = 'bench-export', outputsOf: (i: number) => string = () => JSON.stringify({ reply: transcript(0) })): string {
  const sqlite = new Database(file);
  const slug = jobId === 'bench-export' ? 'loop' : 'loop-audit';
  sqlite.prepare(`insert into jobs (id, scenario_id, slug, version, owner, status, total, body_hash, created_at, finished_at) values (?, ?, ?, 1, 'admin', 'completed', ?, 'bench', ?, ?)`).run(jobId, scenarioId, slug, N, Date.now(), Date.now());
  const insert = sqlite.prepare(`insert into job_items (job_id, seq, item_id, inputs, status, attempts, run_id, outputs, finished_at) values (?, ?, ?, '{}', 'succeeded', 1, ?, ?, ?)`);
  sqlite.transaction(() => {
    for (let i = 1; i <= N; i++) insert.run(jobId, i, `c${i}`, `r-${i}`, outputsOf(i), Date.now() - (i % 1440) * 60_000);
  })();
  sqlite.close();
  return jobId;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-bench-loop-'));
  // Everything the steps need is stored before the server starts: the scenario and a finished job.
  const store = openStore(dir);
  const data = dataStoreOf(store.db);
  const scenario = await createScenario(data, { name: 'loop', graph });
  await publishDraft(data, noServices, scenario.id, { slug: 'loop', note: 'bench' });
  const audit = await createScenario(data, { name: 'loop-audit', graph: auditGraph });
  await publishDraft(data, noServices, audit.id, { slug: 'loop-audit', note: 'bench' });
  const file = store.file;
  store.close();
  const exportJob = runs('export') ? finishedJob(file, scenario.id) : '';
  if (runs('dashboard')) finishedJob(file, audit.id, 'bench-audit', auditOutputs);
  const server = await startServerProcess(dir);
  const auth = await adminHeaders(server.url);
  const results: Measured[] = [];
  try {
    const post: Post = async (body, contentType) => {
      const res = await fetch(`${server.url}/api/scenarios/${scenario.id}/jobs`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { ...auth, 'content-type': contentType } });
      const json: unknown = await res.json();
      const reply = typeof json === 'object' && json !== null ? json : {};
      if (res.status !== 202 || !('job_id' in reply)) throw new Error(`submit: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      // Stop the job at once: running 100,000 items is not what is measured here.
      await fetch(`${server.url}/api/jobs/${String(reply.job_id)}/cancel`, { method: 'POST', headers: auth });
      return `${'total' in reply ? String(reply.total) : '?'} items`;
    };
    // Warm up: the first submission compiles the published plan (once per version), not measured here.
    await post(JSON.stringify({ items: [{ inputs: { transcript: transcript(0) } }] }), 'application/json');
    // The floor: the same measurement while the server does nothing (a busy machine shows here).
    results.push(await measure('idle (3 s, nothing running)', server, async () => {
      await new Promise((r) => setTimeout(r, 3000));
      return 'baseline';
    }));
    for (const step of STEPS) if (runs(step.key)) results.push(await step.run(server, post));
    if (runs('export')) {
      for (const format of ['jsonl', 'csv'] as const) {
        results.push(await measure(`export ${N.toLocaleString('en')} results as ${format}`, server, async () => {
          const res = await fetch(`${server.url}/api/jobs/${exportJob}/results${format === 'csv' ? '?format=csv' : ''}`, { headers: auth });
          const body = await res.arrayBuffer();
          return `${(body.byteLength / 1e6).toFixed(0)} MB`;
        }));
      }
    }
    if (runs('dashboard')) {
      results.push(await measure(`dashboard over ${N.toLocaleString('en')} audited calls`, server, async () => {
        const res = await fetch(`${server.url}/api/scenarios/${audit.id}/dashboard`, { headers: auth });
        if (res.status !== 200) throw new Error(`dashboard: ${res.status} ${await res.text()}`);
        const calls = await fetch(`${server.url}/api/scenarios/${audit.id}/dashboard/calls?bucket=verdict:fail`, { headers: auth });
        return `dashboard ${res.status}, calls ${calls.status}`;
      }));
    }
    if (runs('graph')) {
      const big = bigGraph();
      results.push(await measure('compile a 500-node graph (POST /api/compile)', server, async () => {
        const res = await fetch(`${server.url}/api/compile`, { method: 'POST', body: JSON.stringify(big), headers: { ...auth, 'content-type': 'application/json' } });
        const reply = (await res.json()) as { ok?: boolean };
        if (!reply.ok) throw new Error(`compile: ${JSON.stringify(reply).slice(0, 300)}`);
        return 'ok';
      }));
      let id = '';
      results.push(await measure('save, publish and first /v1-ready compile of it', server, async () => {
        const created = (await (await fetch(`${server.url}/api/scenarios`, { method: 'POST', body: JSON.stringify({ name: 'big', graph: big }), headers: { ...auth, 'content-type': 'application/json' } })).json()) as { id: string };
        id = created.id;
        const res = await fetch(`${server.url}/api/scenarios/${id}/publish`, { method: 'POST', body: JSON.stringify({ slug: 'big' }), headers: { ...auth, 'content-type': 'application/json' } });
        if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
        await new Promise((r) => setTimeout(r, 1500)); // the plan cache warms behind the reply
        return 'published';
      }));
      results.push(await measure('test-run it (498 model calls, the simulator)', server, async () => {
        const res = await fetch(`${server.url}/api/scenarios/${id}/test-run`, { method: 'POST', body: JSON.stringify({ inputs: { transcript: transcript(1) } }), headers: { ...auth, 'content-type': 'application/json' } });
        const reply = (await res.json()) as { status?: string };
        return String(reply.status);
      }));
    }
  } finally {
    await new Promise<void>((resolve) => {
      if (server.child.exitCode !== null) return resolve();
      server.child.once('exit', () => resolve());
      server.child.kill('SIGTERM');
    });
    rmSync(dir, { recursive: true, force: true });
  }

  const load = loadavg()[0].toFixed(1);
  console.log(`${N.toLocaleString('en')} items; ${cpus().length} CPUs, load average ${load} at the end (stalls include time the OS gave the CPU to other processes)`);
  console.log('longest stall: in the server process; slowest ping: GET /api/health every 20 ms from a process of its own, what another caller waited');
  const rows = [['operation', 'longest stall ms', 'target ms', 'slowest ping ms', 'took s', 'note']];
  for (const r of results) rows.push([r.operation, r.stallMs.toFixed(0), String(TARGET_MS), r.pingMs.toFixed(0), r.seconds.toFixed(1), r.note]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join(' | '));
  const over = results.filter((r) => r.stallMs > TARGET_MS);
  console.log(over.length === 0 ? `every operation kept the loop under ${TARGET_MS} ms` : `over ${TARGET_MS} ms: ${over.map((r) => r.operation).join('; ')}`);
  process.exitCode = over.length === 0 ? 0 : 1;
}

await main();
