/**
 * `npm run bench:api`: the published API end to end. Starts the real server (`mofang start`) in a child
 * process on a free loopback port with a temporary data directory and the zero-latency in-process
 * simulator, publishes templates/intent-triage with `mofang publish`, creates a key with `mofang keys
 * create`, then drives synchronous `POST /v1/scenarios/{slug}/run` with a fixed number of requests in
 * flight (undici, keep-alive) at concurrency 1, 16 and 64, and prints runs/s, p50, p99 and errors.
 * BENCH_SECONDS (default 10) sets each step's length; BENCH_CONCURRENCY (e.g. "1,16,64") the steps.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { CreatedKeySchema } from '@shared/keys.js';
import { openStore } from '../server/src/storage/db.js';
import { sqliteOf } from '../server/src/storage/sqlite.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const levels = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const graphFile = path.join(root, 'templates/intent-triage/graph.json');
const slug = 'intent-triage';
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

function mofang(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('node', ['bin/mofang.mjs', ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`mofang ${args[0]} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Starts `mofang start` and resolves with its URL once it says where it listens. */
function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('node', [...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), 'bin/mofang.mjs', 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** CPU seconds the server process (all its threads) has used, from /proc; NaN where there is no /proc. */
function serverCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface StepResult {
  concurrency: number;
  cpuUsPerRun?: number;
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
  return { concurrency, runs: latencies.length, rps: (latencies.length * 1000) / elapsed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), errors };
}

async function main(): Promise<void> {
  let server: ChildProcess | undefined;
  const stop = () => {
    if (server && server.exitCode === null) server.kill('SIGTERM');
  };
  process.once('exit', stop);
  try {
    const published = JSON.parse(await mofang(['publish', graphFile, '--slug', slug, '--note', 'bench']));
    const created = CreatedKeySchema.parse(JSON.parse(await mofang(['keys', 'create', '--name', 'bench', '--rate-limit', '10000000'])));
    const graph = JSON.parse(readFileSync(graphFile, 'utf8'));
    const body = JSON.stringify({ inputs: graph.inputs });
    const started = await startServer();
    server = started.child;
    const nodes = Array.isArray(graph.nodes) ? graph.nodes.length : '?';
    console.log(`server ${started.url}, scenario ${slug} v${published.version} (${nodes} nodes), zero-latency simulator, ${seconds} s per step`);
    await drive(started.url, created.key, body, 16, 2000); // warm-up: JIT, plan cache, connection pools
    const results: StepResult[] = [];
    for (const c of levels) {
      const cpu0 = serverCpuSeconds(server.pid);
      const r = await drive(started.url, created.key, body, c, seconds * 1000);
      r.cpuUsPerRun = ((serverCpuSeconds(server.pid) - cpu0) * 1e6) / r.runs;
      results.push(r);
    }

    console.log('\n| concurrency | runs/s | p50 (ms) | p99 (ms) | errors | server CPU per run (µs) |');
    console.log('| ----------: | -----: | -------: | -------: | -----: | ---------------------: |');
    for (const r of results) console.log(`| ${r.concurrency} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} | ${r.cpuUsPerRun?.toFixed(0) ?? '?'} |`);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`\nmachine load average during the run: ${load} (other processes share the ${cpus().length} cores)`);
    console.log('\ngoal: ≥ 2,000 runs/s and p99 < 20 ms at concurrency 64');

    const exited = new Promise<void>((resolve) => server?.once('exit', () => resolve()));
    stop();
    await exited;
    const store = openStore(dataDir);
    const logged = sqliteOf(store.db).prepare("select count(*) as n from runs where kind = 'api'").get();
    store.close();
    const total = results.reduce((n, r) => n + r.runs, 0);
    console.log(`API runs in the log after shutdown: ${typeof logged === 'object' && logged !== null && 'n' in logged ? String(logged.n) : '?'} (measured ${total} + warm-up)`);
  } finally {
    stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
