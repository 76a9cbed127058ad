/**
 * `npm run bench:api`: the published API end to end. Starts the real server (`mofang start`) in a child
 * process on a free loopback port with a temporary data directory, publishes a template with `mofang
 * publish`, creates a key with `mofang keys create`, then drives synchronous `POST /v1/scenarios/{slug}/run`
 * with a fixed number of requests in flight (undici, keep-alive) and prints runs/s, p50, p99, errors and
 * the server's CPU per run (user + system of the server process from /proc: all its threads, and apart
 * the main thread that answers requests; the run log is written on a worker thread).
 *
 * - default (`--model in-process`): templates/intent-triage (two model calls) against the zero-latency
 *   in-process simulator, at concurrency 1, 16 and 64.
 * - `--model http`: templates/call-summary (one model call), first against the in-process simulator, then
 *   against `mofang simulator --zero` running as its own process (HTTP, streamed replies; its CPU is not
 *   the server's), at concurrency 64; the target (≤ 0.6 ms of server CPU per run) is printed beside it.
 *
 * BENCH_SECONDS (default 10) sets each step's length, BENCH_WARMUP_SECONDS (default 5) the warm-up's (at
 * the first step's concurrency); BENCH_CONCURRENCY (e.g. "1,16,64") the steps (repeat a level to measure it
 * again: the summary gives each level's median); BENCH_SERVER_NODE_ARGS adds Node flags to the server (e.g.
 * "--cpu-prof").
 *
 * The server gets CPU 0 to itself and the load (this process, its HTTP client and the simulator) the other
 * CPUs, with `taskset`, where there is one and more than one CPU (BENCH_PIN=0 turns it off): a server in
 * production has its own cores, and sharing one with the client that loads it made the figure swing by a third
 * from run to run on a 2-core machine (the client's bursts decide how many requests each of the server's
 * event-loop turns gets, and so what each costs).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { CreatedKeySchema } from '@shared/keys.js';
import { openStore } from '../server/src/storage/db.js';
import { sqliteOf } from '../server/src/storage/sqlite.js';
import { startProc, stop as stopProc, type Proc } from './jobs-procs.js';
import { serverNodeFlags } from '../scripts/server-node-flags.mjs';

const { values: args } = parseArgs({ options: { model: { type: 'string', default: 'in-process' } } });
if (args.model !== 'in-process' && args.model !== 'http') throw new Error(`--model is in-process or http, not ${args.model}`);
const httpMode = args.model === 'http';
const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmUpMs = Number(process.env.BENCH_WARMUP_SECONDS ?? 5) * 1000;
const levels = (process.env.BENCH_CONCURRENCY ?? (httpMode ? '64' : '1,16,64')).split(',').map(Number);
/** Server CPU per run at concurrency 64 with one model call over HTTP, µs. */
const CPU_TARGET_US = 600;
const template = httpMode ? 'call-summary' : 'intent-triage';
const graphFile = path.join(root, `templates/${template}/graph.json`);
const slug = template;
const dataDir = mkdtempSync(path.join(tmpdir(), 'mofang-bench-api-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  MOFANG_DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  MOFANG_SIM_TTFT_MS: '0',
  MOFANG_SIM_PER_TOKEN_MS: '0',
  MOFANG_SIM_LOAD_FACTOR: '0',
  MOFANG_MODEL_BASE_URL: '',
};

/** `taskset` pinning (see above): the server's CPU list and the load's, or undefined when off. */
const pinning = ((): { server: string; load: string } | undefined => {
  const n = cpus().length;
  if (process.env.BENCH_PIN === '0' || n < 2) return undefined;
  try {
    execFileSync('taskset', ['-a', '-pc', `1-${n - 1}`, String(process.pid)], { stdio: 'ignore' });
    return { server: '0', load: `1-${n - 1}` };
  } catch {
    return undefined;
  }
})();

function mofang(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('node', ['bin/mofang.mjs', ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`mofang ${args[0]} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Starts `mofang start` and resolves with its URL once it says where it listens. */
function startServer(extraEnv: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const command = ['node', ...serverNodeFlags(), ...nodeArgs, 'bin/mofang.mjs', 'start'];
  const pinned = pinning ? ['taskset', '-c', pinning.server, ...command] : command;
  const child = spawn(pinned[0], pinned.slice(1), { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Mofang on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** CPU seconds (user and system) of a process or one of its threads, from /proc; NaN where there is no /proc. */
function cpuSeconds(pid: number | undefined, tid?: number): { user: number; system: number } {
  try {
    const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
    const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: NaN, system: NaN };
  }
}

/**
 * The server's CPU, s: the whole process (all threads: the run-log writer, GC helpers…), its kernel
 * (system) part (socket reads and writes, mostly), and its main thread, which answers requests.
 */
function serverCpu(pid: number | undefined): { all: number; system: number; main: number } {
  const all = cpuSeconds(pid);
  const main = cpuSeconds(pid, pid);
  return { all: all.user + all.system, system: all.system, main: main.user + main.system };
}

interface StepResult {
  model: string;
  concurrency: number;
  cpuUsPerRun?: number;
  /** Of which the main (request) thread's. */
  mainCpuUsPerRun?: number;
  /** Of which in the kernel (system time, all threads). */
  systemCpuUsPerRun?: number;
  runs: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Keeps `concurrency` requests in flight for `ms` and measures each one. */
async function drive(url: string, key: string, body: string, concurrency: number, ms: number): Promise<StepResult> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const firstError: string[] = [];
  const started = performance.now();
  const end = started + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: 'POST', path: `/v1/scenarios/${slug}/run`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
        const text = await res.body.text();
        if (res.statusCode !== 200) {
          errors++;
          if (firstError.length === 0) firstError.push(`${res.statusCode} ${text.slice(0, 200)}`);
        }
      } catch (error) {
        errors++;
        if (firstError.length === 0) firstError.push(String(error));
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  await pool.close();
  if (firstError.length > 0) console.error(`  first error at concurrency ${concurrency}: ${firstError[0]}`);
  latencies.sort((a, b) => a - b);
  return { model: '', concurrency, runs: latencies.length, rps: (latencies.length * 1000) / elapsed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), errors };
}

/** The template's own sample inputs: the graph's, else its first sample file. */
function sampleInputs(graph: { inputs?: unknown }): unknown {
  if (graph.inputs !== undefined) return graph.inputs;
  const sample: unknown = JSON.parse(readFileSync(path.join(root, `templates/${template}/samples/repair-call.json`), 'utf8'));
  return typeof sample === 'object' && sample !== null && 'inputs' in sample ? sample.inputs : {};
}

/** Starts a server, warms it up, measures every level, stops it. */
async function measure(model: string, key: string, body: string, extraEnv: NodeJS.ProcessEnv): Promise<StepResult[]> {
  const started = await startServer(extraEnv);
  const server = started.child;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const results: StepResult[] = [];
  try {
    console.log(`server ${started.url} (pid ${server.pid}), model ${model}, ${seconds} s per step`);
    // Warm-up: JIT, plan cache, connection pools; CPU per run only settles after a few thousand runs.
    await drive(started.url, key, body, levels[0] ?? 16, warmUpMs);
    for (const c of levels) {
      const cpu0 = serverCpu(server.pid);
      const r = await drive(started.url, key, body, c, seconds * 1000);
      const cpu1 = serverCpu(server.pid);
      r.cpuUsPerRun = ((cpu1.all - cpu0.all) * 1e6) / r.runs;
      r.mainCpuUsPerRun = ((cpu1.main - cpu0.main) * 1e6) / r.runs;
      r.systemCpuUsPerRun = ((cpu1.system - cpu0.system) * 1e6) / r.runs;
      r.model = model;
      results.push(r);
    }
  } finally {
    if (server.exitCode === null) server.kill('SIGTERM');
    await exited;
  }
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Per model and concurrency measured more than once: the steps' median CPU per run, µs. */
function medians(results: StepResult[]): Array<{ model: string; concurrency: number; steps: number; cpu: number; main: number }> {
  const groups = new Map<string, StepResult[]>();
  for (const r of results) groups.set(`${r.model} ${r.concurrency}`, [...(groups.get(`${r.model} ${r.concurrency}`) ?? []), r]);
  return [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => ({ model: g[0].model, concurrency: g[0].concurrency, steps: g.length, cpu: median(g.map((r) => r.cpuUsPerRun ?? NaN)), main: median(g.map((r) => r.mainCpuUsPerRun ?? NaN)) }));
}

async function main(): Promise<void> {
  let simulator: Proc | undefined;
  try {
    const published = JSON.parse(await mofang(['publish', graphFile, '--slug', slug, '--note', 'bench']));
    const created = CreatedKeySchema.parse(JSON.parse(await mofang(['keys', 'create', '--name', 'bench', '--rate-limit', '10000000'])));
    const graph = JSON.parse(readFileSync(graphFile, 'utf8'));
    const body = JSON.stringify({ inputs: sampleInputs(graph) });
    const nodes = Array.isArray(graph.nodes) ? graph.nodes.length : '?';
    const calls = httpMode ? 'one model call' : 'two model calls';
    console.log(`scenario ${slug} v${published.version} (${nodes} nodes, ${calls}), zero-latency simulator`);
    const results = await measure('in-process', created.key, body, {});
    if (httpMode) {
      simulator = await startProc(['simulator', '--port', '0', '--host', '127.0.0.1', '--zero'], {}, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
      results.push(...(await measure('http', created.key, body, { MOFANG_MODEL_BASE_URL: `${simulator.url}/v1`, MOFANG_MODEL: 'mofang-simulator' })));
    }

    console.log('\n| model | concurrency | runs/s | p50 (ms) | p99 (ms) | errors | server CPU per run (µs) | of which request thread (µs) | of which kernel (µs) | target (µs) |');
    console.log('| ----- | ----------: | -----: | -------: | -------: | -----: | ----------------------: | ---------------------------: | -------------------: | ----------: |');
    for (const r of results) {
      const target = httpMode && r.model === 'http' && r.concurrency === 64 ? `≤ ${CPU_TARGET_US}` : '';
      console.log(`| ${r.model} | ${r.concurrency} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} | ${r.cpuUsPerRun?.toFixed(0) ?? '?'} | ${r.mainCpuUsPerRun?.toFixed(0) ?? '?'} | ${r.systemCpuUsPerRun?.toFixed(0) ?? '?'} | ${target} |`);
    }
    const repeated = medians(results);
    if (repeated.length > 0) {
      console.log('\nmedian of the repeated levels:');
      console.log('| model | concurrency | steps | server CPU per run (µs) | of which request thread (µs) | target (µs) |');
      console.log('| ----- | ----------: | ----: | ----------------------: | ---------------------------: | ----------: |');
      for (const m of repeated) {
        const target = httpMode && m.model === 'http' && m.concurrency === 64 ? `≤ ${CPU_TARGET_US}` : '';
        console.log(`| ${m.model} | ${m.concurrency} | ${m.steps} | ${m.cpu.toFixed(0)} | ${m.main.toFixed(0)} | ${target} |`);
      }
    }
    console.log(pinning ? `\nserver pinned to CPU ${pinning.server}; this client and the simulator on CPUs ${pinning.load} (BENCH_PIN=0: unpinned)` : '\nunpinned (no taskset, one CPU, or BENCH_PIN=0)');
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`\nmachine load average during the run: ${load} (other processes share the ${cpus().length} cores; trust CPU per run over runs/s)`);
    if (httpMode) console.log(`\ngoal: server CPU per run ≤ ${CPU_TARGET_US} µs at concurrency 64 with one model call over HTTP`);
    else console.log('\ngoal: ≥ 2,000 runs/s and p99 < 20 ms at concurrency 64');

    const store = openStore(dataDir);
    const logged = sqliteOf(store.db).prepare("select count(*) as n from runs where kind = 'api'").get();
    store.close();
    const total = results.reduce((n, r) => n + r.runs, 0);
    console.log(`API runs in the log after shutdown: ${typeof logged === 'object' && logged !== null && 'n' in logged ? String(logged.n) : '?'} (measured ${total} + warm-up)`);
  } finally {
    if (simulator) await stopProc(simulator);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
