/**
 * Helpers for `npm run bench:cluster`: Mofang servers on one PostgreSQL database (each its own process on
 * 127.0.0.1), the scenario published over the API, a /v1 load spread round-robin over servers, the
 * simulator's own capacity measured by driving it directly, and a webhook receiver that counts a job's
 * completion calls. Every child is SIGKILLed when the bench process exits, whatever ends it.
 */
import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { GRAPH_FORMAT, GraphSchema, type Graph } from '../shared/src/graph.js';
import { compileGraph, runPlan } from '../server/src/engine/index.js';
import { OpenAICompatibleClient } from '../server/src/model/openai-client.js';
import { createEngineServices } from '../server/src/services/index.js';
import { adminHeaders, json, startMofang, type Proc } from './jobs-procs.js';

const children = new Set<Proc>();
process.once('exit', () => {
  for (const p of children) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** Remembers a child so it is killed when the bench exits. */
export function track(proc: Proc): Proc {
  children.add(proc);
  return proc;
}

/** A Mofang server on `databaseUrl` (its own temp data dir), model endpoint the simulator at `simUrl`. */
export async function startClusterServer(databaseUrl: string, simUrl: string, env: NodeJS.ProcessEnv): Promise<Proc> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-bench-cluster-'));
  return track(await startMofang(dir, simUrl, { MOFANG_DATABASE_URL: databaseUrl, ...env }));
}

/** The one-LLM-node scenario of the API tests (tests/api/helpers.ts, which needs vitest to load): transcript in, reply out. */
export function echoGraph(name: string): Graph {
  return {
    schema: GRAPH_FORMAT,
    name,
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
      { id: 'llm_1', kind: 'llm', version: 1, position: { x: 300, y: 0 }, config: { system: '你是电信客服助手。', user: '{{ start.transcript.text }}' } },
      { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: [{ name: 'reply', value: '{{ llm_1.text }}' }] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'llm_1', targetPort: 'in' },
      { id: 'e2', source: 'llm_1', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

/** A transcript input for the echo scenario, `n` making each one different (the simulator seeds on the prompt). */
export const transcript = (n: number) => ({ turns: [{ role: 'customer', text: `第${n}号来电：我的宽带从昨天开始断线，请帮我查一下。` }, { role: 'agent', text: '好的，我帮您查询。' }] });

/** Signs up the first admin, publishes the one-LLM-node echo scenario as `slug`, returns a /v1 key. */
export async function publishEcho(url: string, slug: string): Promise<string> {
  const headers = await adminHeaders(url);
  const scenario = (await json('POST', `${url}/api/scenarios`, { name: slug, graph: echoGraph(slug) }, headers)) as { id: string };
  await json('POST', `${url}/api/scenarios/${scenario.id}/publish`, { slug, note: 'bench:cluster' }, headers);
  const created = (await json('POST', `${url}/api/keys`, { name: 'bench-cluster', rate_limit: 10_000_000 }, headers)) as { key: string };
  return created.key;
}

export interface LoadResult { runs: number; errors: number; runsPerS: number; p50: number; p99: number; firstError?: string }

/** Keeps `concurrency` synchronous /v1 runs in flight for `ms`, client i on server i mod n. */
export async function driveRuns(urls: string[], slug: string, key: string, concurrency: number, ms: number): Promise<LoadResult> {
  const pools = urls.map((u) => new Pool(u, { connections: Math.ceil(concurrency / urls.length), pipelining: 1 }));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let n = 0;
  const started = performance.now();
  const end = started + ms;
  await Promise.all(Array.from({ length: concurrency }, async (_, i) => {
    const pool = pools[i % pools.length];
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: 'POST', path: `/v1/scenarios/${slug}/run`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { transcript: transcript(n++) } }) });
        const text = await res.body.text();
        if (res.statusCode !== 200) {
          errors++;
          firstError ??= `${res.statusCode} ${text.slice(0, 200)}`;
          continue;
        }
      } catch (error) {
        errors++;
        firstError ??= String(error);
        continue;
      }
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(pools.map((p) => p.close()));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? NaN);
  return { runs: latencies.length, errors, runsPerS: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), firstError };
}

/**
 * Items/s the simulator sustains kept saturated (`inFlight` > its capacity) with the echo scenario's own
 * runs made in this process, between the 10th and 90th percentile finish of `n` items.
 */
export async function simulatorCapacity(simUrl: string, n: number, inFlight: number): Promise<number> {
  const services = createEngineServices({});
  const compiled = compileGraph(GraphSchema.parse(echoGraph('capacity')), { templateLimits: services.templateLimits });
  if (!compiled.ok) throw new Error('the echo scenario does not compile');
  const client = new OpenAICompatibleClient({ baseUrl: `${simUrl}/v1`, maxConcurrency: inFlight, timeoutMs: 60_000 });
  const models = { resolve: () => ({ client, model: 'mofang-simulator' }) };
  const t0 = performance.now();
  const finishes: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) {
      const result = await runPlan(compiled.plan, { transcript: transcript(1_000_000 + next++) }, { models, services, priority: 1 });
      if (result.status !== 'succeeded') throw new Error(`capacity run failed: ${JSON.stringify(result.error)}`);
      finishes.push(performance.now() - t0);
    }
  }));
  await client.close();
  await services.close();
  finishes.sort((a, b) => a - b);
  const lo = finishes[Math.floor(n * 0.1)], hi = finishes[Math.floor(n * 0.9)];
  return (0.8 * n) / ((hi - lo) / 1000);
}

/** An HTTP server on 127.0.0.1 that counts the POSTs it receives (a job's completion webhook). */
export async function webhookCounter(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST') count++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, count: () => count, close: () => new Promise((r) => server.close(() => r())) };
}

/** Busy and total jiffies of all cores since boot (/proc/stat's first line; idle and iowait count as not busy). */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** CPU time of process `pid` so far, ms (/proc/<pid>/stat utime + stime, in USER_HZ = 100 ticks a second). */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The PostgreSQL postmaster of a test server's folder and every process it started (backends, workers). */
function postgresPids(pgDir: string): number[] {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(path.join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return [];
  }
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface CpuUse {
  /** Share of all cores busy while it ran, 0–1 (every process on the machine, the bench's and any other). */
  machineBusy: number;
  /** CPU ms of the Mofang servers, of PostgreSQL (postmaster and backends), of the simulator and of this process (the load generator). */
  serversMs: number;
  postgresMs: number;
  simulatorMs: number;
  benchMs: number;
}

/**
 * Runs `fn` and measures the CPU it cost (Linux /proc): the machine's busy share and the CPU ms of each
 * process of the cluster. A backend that ends inside the window loses its share (the pools keep theirs open).
 */
export async function cpuDuring<T>(procs: { servers: Proc[]; simulator: Proc; pgDir: string }, fn: () => Promise<T>): Promise<{ result: T; cpu: CpuUse }> {
  const sample = () => {
    const pg = postgresPids(procs.pgDir);
    return { servers: procs.servers.map((s) => processCpuMs(s.child.pid)), pg: new Map(pg.map((pid) => [pid, processCpuMs(pid)])), sim: processCpuMs(procs.simulator.child.pid) };
  };
  const m0 = machineJiffies();
  const s0 = sample();
  const b0 = process.cpuUsage();
  const result = await fn();
  const m1 = machineJiffies();
  const s1 = sample();
  const b = process.cpuUsage(b0);
  let postgresMs = 0;
  for (const [pid, ms] of s1.pg) postgresMs += ms - (s0.pg.get(pid) ?? 0);
  return {
    result,
    cpu: {
      machineBusy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
      serversMs: s1.servers.reduce((sum, ms, i) => sum + ms - (s0.servers[i] ?? 0), 0),
      postgresMs,
      simulatorMs: s1.sim - s0.sim,
      benchMs: (b.user + b.system) / 1000,
    },
  };
}

/** The machine's 1/5/15-minute load averages. */
export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(', ');
}
