/**
 * `npm run bench:start`: how fast the `mofang` command and the server start, against the targets of
 * issue 11. Each figure is the median of several runs (BENCH_RUNS, default 5; `--runs N`), min–max
 * beside it:
 *   - `mofang --help`                              wall time, start to exit            target ≤ 300 ms
 *   - `mofang compile templates/intent-triage/…`   wall time, start to exit            target ≤ 600 ms
 *   - `mofang start`, cold (a new data directory)  spawn to the first 200 of /api/health  target ≤ 1 s
 *   - the idle server's resident memory            VmRSS 2 s after that first 200      target ≤ 120 MB
 * `--root DIR` measures another checkout's bin/mofang.mjs (e.g. an older commit, for a before/after).
 * Beside each time, the CPU it took (user + system, from /proc: a figure a busy machine inflates far less
 * than wall time). Exits 1 when a median misses its target.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from '../scripts/server-node-flags.mjs';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const root = path.resolve(argValue('--root') ?? fileURLToPath(new URL('..', import.meta.url)));
const runs = Math.max(1, Number(argValue('--runs') ?? process.env.BENCH_RUNS ?? 5));
const bin = path.join(root, 'bin/mofang.mjs');
const template = 'templates/intent-triage/graph.json';
const baseEnv: NodeJS.ProcessEnv = { ...process.env, MOFANG_SIM_TTFT_MS: '0', MOFANG_SIM_PER_TOKEN_MS: '0' };
for (const key of ['MOFANG_MODEL_BASE_URL', 'MOFANG_MODEL_API_KEY', 'MOFANG_MODEL']) delete baseEnv[key];

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** Fields of a /proc/<pid>/stat line after the command name (field 3 is index 0). */
function statFields(pid: number | 'self'): number[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
}

/** CPU ms (user + system) of this process's reaped children so far: cutime + cstime. */
function childrenCpuMs(): number {
  const f = statFields('self');
  return (f[13] + f[14]) * TICK_MS;
}

/** CPU ms (user + system, all threads) a running process has used: utime + stime. */
function processCpuMs(pid: number): number {
  const f = statFields(pid);
  return (f[11] + f[12]) * TICK_MS;
}

/** Runs `node bin/mofang.mjs …` to its end; resolves with the wall and CPU ms, rejects on a non-zero exit. */
function timeCommand(args: string[]): Promise<{ ms: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs();
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: baseEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, cpu: childrenCpuMs() - cpuBefore });
      else reject(new Error(`mofang ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function healthStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/health', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', () => resolve(0));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Starts `mofang start` on a new data directory; resolves with ms to the first 200 and the idle RSS. */
async function coldStart(): Promise<{ ms: number; cpu: number; rss: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mofang-bench-start-'));
  const started = performance.now();
  const child = spawn(process.execPath, [...serverNodeFlags(bin), bin, 'start'], { cwd: root, env: { ...baseEnv, PORT: String(port), HOST: '127.0.0.1', MOFANG_DATA_DIR: dataDir }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    let ms = 0;
    let cpu = 0;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mofang start exited with ${child.exitCode}: ${stderr.trim()}`);
      if ((await healthStatus(port)) === 200) {
        ms = performance.now() - started;
        cpu = processCpuMs(child.pid ?? 0);
        break;
      }
      if (performance.now() - started > 60_000) throw new Error('mofang start did not answer within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return { ms, cpu, rss: rssMb(child.pid ?? 0) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

const help: Array<{ ms: number; cpu: number }> = [];
const compile: Array<{ ms: number; cpu: number }> = [];
const start: Array<{ ms: number; cpu: number; rss: number }> = [];
await timeCommand(['--help']); // warm-up: the file system cache, not counted
for (let i = 0; i < runs; i++) {
  help.push(await timeCommand(['--help']));
  compile.push(await timeCommand(['compile', template]));
  start.push(await coldStart());
}

const rows = [
  { what: 'mofang --help', unit: 'ms', target: 300, values: help.map((r) => r.ms), cpu: help.map((r) => r.cpu) },
  { what: `mofang compile ${template}`, unit: 'ms', target: 600, values: compile.map((r) => r.ms), cpu: compile.map((r) => r.cpu) },
  { what: 'server cold start to first 200', unit: 'ms', target: 1000, values: start.map((r) => r.ms), cpu: start.map((r) => r.cpu) },
  { what: 'idle RSS', unit: 'MB', target: 120, values: start.map((r) => r.rss), cpu: undefined },
];
console.log(`bench:start — ${bin}, ${runs} runs each, median (min–max)\n`);
console.log(`${'measure'.padEnd(52)} ${'target'.padStart(9)} ${'median'.padStart(9)}  ${'min–max'.padEnd(12)} ${'cpu median'.padStart(10)}  ok`);
let missed = 0;
for (const row of rows) {
  const s = stats(row.values);
  const ok = s.median <= row.target;
  if (!ok) missed += 1;
  const cpu = row.cpu ? `${stats(row.cpu).median.toFixed(0)} ms` : '';
  console.log(`${row.what.padEnd(52)} ${`≤ ${row.target}`.padStart(6)} ${row.unit} ${s.median.toFixed(0).padStart(6)} ${row.unit}  ${`${s.min.toFixed(0)}–${s.max.toFixed(0)}`.padEnd(12)} ${cpu.padStart(10)}  ${ok ? 'yes' : 'NO'}`);
}
process.exitCode = missed > 0 ? 1 : 0;
