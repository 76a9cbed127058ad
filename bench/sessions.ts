/**
 * `npm run bench:sessions`: live call sessions at capacity. Starts the model simulator as its own process
 * with a fixed latency (`--model-ms`, default 300: time to first token, 0 ms a token, no slowdown under
 * load, room for every call at once), publishes a scenario with two model nodes — `summary` reads the
 * transcript (runs on every update), `opening` reads only the channel (answered from the session's node
 * cache after the first update) — starts `mofang start` against it (127.0.0.1, a temporary data
 * directory, bench/sessions-probe.mjs loaded to measure its event loop and memory), then opens N sessions
 * (`--sessions`, default 1000), each posting an STC-3 turn every 3–5 s (seeded), and measures for
 * `--duration` seconds (default 60) after a warm-up (`--warmup`, default 15):
 *
 * - lag: ms from posting a turn to the first `session.updated` that includes it, p50 / p99;
 * - lag beyond the model: that lag minus the model's own latency, taken as the simulator's configured
 *   fixed latency (not the update's `stats.latency_ms`, which is the whole run and so includes the
 *   server's own work that the target counts), minus also the time the turn waited for an update that was
 *   already in flight when it came (at most one more model latency: one run in flight per session);
 * - model calls per turn per model node (update `stats.model_calls` / turns / 2) and reused calls;
 *   coalesced turns; prompt-prefix reuse (`GET /v1/sessions/{id}` metrics, mean over sessions);
 * - errors; the server's event-loop delay (p50 / p99 / max), RSS (max) and CPU time over the window (CPU time
 *   per turn barely moves with other work on the machine, unlike the lags: it says what one core can carry).
 *
 * BENCH_PIN=1 runs the server on CPU 0, this client and the simulator on the others (`taskset`).
 * `--profile DIR` also writes the server's CPU profile (`--cpu-prof`) into DIR. `MOFANG_DATA_FILE` points
 * at stc3-telecom-cn.jsonl when it is not at ../shared/data beside the checkout. Everything stops by itself.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { V1SessionSchema } from '@shared/sessions.js';
import { serverNodeFlags } from '../scripts/server-node-flags.mjs';
import { ROOT, startProc, stop, type Proc } from './jobs-procs.js';
import { runLoad, type BenchTurn, type TurnSample } from './sessions-load.js';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '15' },
    'model-ms': { type: 'string', default: '300' },
    seed: { type: 'string', default: '7' },
    profile: { type: 'string' },
  },
});
const N = Number(args.sessions);
const MODEL_MS = Number(args['model-ms']);
const TARGET = { sessions: 1000, lagP99Ms: 200, callsPerTurnPerNode: 1 };
const MODEL_NODES = 2;
const BIN = `${ROOT}bin/mofang.mjs`;
const dataFile = process.env.MOFANG_DATA_FILE ?? path.resolve(ROOT, '../shared/data/stc3-telecom-cn.jsonl');

/**
 * `taskset` pinning with BENCH_PIN=1, as bench:api does: the server on CPU 0, this client and the
 * simulator on the others. Off by default: on a 2-core machine shared with other work, the server held to
 * one core did worse than the server free to use both. Undefined when off.
 */
const pinning = ((): { server: string; load: string } | undefined => {
  const n = cpus().length;
  if (process.env.BENCH_PIN !== '1' || n < 2) return undefined;
  try {
    execFileSync('taskset', ['-a', '-pc', `1-${n - 1}`, String(process.pid)], { stdio: 'ignore' });
    return { server: '0', load: `1-${n - 1}` };
  } catch {
    return undefined;
  }
})();

const graph: Graph = {
  schema: GRAPH_FORMAT,
  name: 'bench live',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }, { name: 'channel', type: 'string', required: false }] } },
    { id: 'summary', kind: 'llm', version: 1, position: { x: 300, y: 0 }, config: { system: '你是电信客服的实时助手：用一句话概括通话到目前为止客户的诉求。', user: '{{ start.transcript.text }}' } },
    { id: 'opening', kind: 'llm', version: 1, position: { x: 300, y: 200 }, config: { system: '你是电信客服的话术助手。', user: '渠道：{{ start.channel }}。给坐席一句合适的开场白。' } },
    { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: [{ name: 'summary', value: '{{ summary.text }}' }, { name: 'opening', value: '{{ opening.text }}' }] } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourcePort: 'out', target: 'summary', targetPort: 'in' },
    { id: 'e2', source: 'start', sourcePort: 'out', target: 'opening', targetPort: 'in' },
    { id: 'e3', source: 'summary', sourcePort: 'out', target: 'end', targetPort: 'in' },
    { id: 'e4', source: 'opening', sourcePort: 'out', target: 'end', targetPort: 'in' },
  ],
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

function conversations(): BenchTurn[][] {
  let text: string;
  try {
    text = readFileSync(dataFile, 'utf8');
  } catch {
    throw new Error(`no STC-3 data at ${dataFile}: set MOFANG_DATA_FILE to stc3-telecom-cn.jsonl`);
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { turns: BenchTurn[] }).turns.filter((t) => t.text.trim() !== ''))
    .filter((turns) => turns.length > 0);
}

interface Probe {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rssMaxMb: number;
  rssMb: number;
  /** The server's CPU time over the window (user + system), ms. */
  cpuMs: number;
}

/** `mofang start` with the probe loaded and an IPC channel to it. */
async function startServer(dataDir: string, simUrl: string): Promise<Proc> {
  const flags = [...serverNodeFlags(), '--import', new URL('./sessions-probe.mjs', import.meta.url).href];
  if (args.profile) flags.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`);
  const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dataDir, MOFANG_MODEL_BASE_URL: `${simUrl}/v1`, MOFANG_MODEL: 'mofang-simulator', MOFANG_MODEL_MAX_CONCURRENCY: '4096' };
  const command = [process.execPath, ...flags, BIN, 'start'];
  const pinned = pinning ? ['taskset', '-c', pinning.server, ...command] : command;
  const child = spawn(pinned[0] as string, pinned.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Mofang on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] as string });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > 20_000) out = out.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${out}`)));
  });
}

async function main(): Promise<void> {
  const data = conversations();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mofang-bench-sessions-'));
  const mofang = (a: string[]) => execFileSync(process.execPath, [BIN, ...a], { cwd: ROOT, env: { ...process.env, MOFANG_DATA_DIR: dataDir }, encoding: 'utf8' });
  let simulator: Proc | undefined;
  let server: Proc | undefined;
  try {
    const graphFile = path.join(dataDir, 'bench-live.json');
    writeFileSync(graphFile, JSON.stringify(graph));
    mofang(['publish', graphFile, '--slug', 'bench-live', '--note', 'bench']);
    const key = (JSON.parse(mofang(['keys', 'create', '--name', 'bench', '--rate-limit', '10000000'])) as { key: string }).key;
    simulator = await startProc(
      ['simulator', '--port', '0', '--host', '127.0.0.1', '--ttft', String(MODEL_MS), '--per-token', '0', '--load-factor', '0', '--capacity', '100000', '--max-queue', '100000'],
      {},
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    server = await startServer(dataDir, simulator.url);
    const child = server.child;
    const probe = new Promise<Probe>((resolve) => child.on('message', (m) => resolve(m as Probe)));
    console.log(`server ${server.url} (pid ${child.pid}); simulator ${simulator.url}, fixed ${MODEL_MS} ms a call; ${N} sessions, ${data.length} STC-3 conversations`);
    const started = performance.now();
    const load = await runLoad({
      url: server.url,
      key,
      slug: 'bench-live',
      sessions: N,
      warmupMs: Number(args.warmup) * 1000,
      durationMs: Number(args.duration) * 1000,
      seed: Number(args.seed),
      conversations: data,
      onWindow: (edge) => child.send(edge),
    });
    const loop = await probe;
    console.log(`load done in ${((performance.now() - started) / 1000).toFixed(0)} s`);

    // The sessions' own metrics, a few at a time.
    const metrics: SessionFigures[] = [];
    for (let i = 0; i < load.sessionIds.length; i += 50) {
      const batch = load.sessionIds.slice(i, i + 50);
      const replies = await Promise.all(batch.map((id) => fetch(`${server?.url}/v1/sessions/${id}`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json())));
      for (const reply of replies) {
        const parsed = V1SessionSchema.safeParse(reply);
        if (parsed.success) metrics.push({ prefix: parsed.data.metrics.prompt_prefix_reuse, lagP50: parsed.data.metrics.lag_ms_p50, lagP99: parsed.data.metrics.lag_ms_p99 });
      }
    }
    report(load, loop, metrics);
  } finally {
    if (server) await stop(server);
    if (simulator) await stop(simulator);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** What `GET /v1/sessions/{id}` says of one session. */
interface SessionFigures {
  prefix: number;
  lagP50: number | null;
  lagP99: number | null;
}

function median(values: Array<number | null>): number {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return percentile(v, 0.5);
}

function report(load: Awaited<ReturnType<typeof runLoad>>, loop: Probe, metrics: SessionFigures[]): void {
  const stat = (pick: (s: TurnSample) => number) => {
    const v = load.samples.map(pick).sort((a, b) => a - b);
    return { p50: percentile(v, 0.5), p99: percentile(v, 0.99) };
  };
  const lag = stat((s) => s.lagMs);
  const beyond = stat((s) => s.lagMs - MODEL_MS - Math.min(s.waitedMs, MODEL_MS));
  const run = stat((s) => s.runMs);
  const waited = load.samples.filter((s) => s.waitedMs > 0).length;
  const perTurnPerNode = load.modelCalls / load.turns / MODEL_NODES;
  const transcriptNodeCalls = load.updates / load.turns;
  const prefix = metrics.length ? metrics.reduce((a, m) => a + m.prefix, 0) / metrics.length : NaN;
  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');
  const rows: Array<[string, string, string]> = [
    ['concurrent sessions', `${load.sessions} of ${N}`, `${TARGET.sessions}`],
    ['turns measured (posted in the window)', `${load.turns} (${f(load.turns / Number(args.duration), 1)}/s)`, ''],
    ['lag, turn posted → first session.updated with it, p50 / p99 (ms)', `${f(lag.p50)} / ${f(lag.p99)}`, ''],
    ['lag beyond the model, p50 / p99 (ms)', `${f(beyond.p50)} / ${f(beyond.p99)}`, `p99 ≤ ${TARGET.lagP99Ms}`],
    ["the including update's run (stats.latency_ms), p50 / p99 (ms)", `${f(run.p50)} / ${f(run.p99)}`, `model ${MODEL_MS}`],
    ['turns that waited for an update in flight', `${waited} (${f((100 * waited) / Math.max(1, load.samples.length), 1)}%)`, ''],
    ['model calls per turn per model node', `${f(perTurnPerNode, 3)} (${load.modelCalls} calls, ${load.turns} turns, ${MODEL_NODES} nodes)`, `≤ ${TARGET.callsPerTurnPerNode}`],
    ['  of the transcript node (updates per turn)', f(transcriptNodeCalls, 3), ''],
    ['reused calls (node cache)', `${load.reusedCalls} (${f((100 * load.reusedCalls) / Math.max(1, load.reusedCalls + load.modelCalls), 1)}% of calls)`, ''],
    ['coalesced turns (updates with more than one turn)', `${load.coalescedTurns} in ${load.coalescedUpdates} updates`, ''],
    ['prompt-prefix reuse (session metrics, mean)', f(prefix, 3), ''],
    ["the server's own lag (session metrics, whole session with its warm-up: median of the sessions' p50 / p99, ms)", `${f(median(metrics.map((m) => m.lagP50)))} / ${f(median(metrics.map((m) => m.lagP99)))}`, ''],
    ['errors (requests, streams) / failed updates / turns never updated', `${load.errors} / ${load.failedUpdates} / ${load.unmatched}`, '0'],
    ['server event-loop delay p50 / p99 / max (ms)', `${f(loop.p50Ms, 1)} / ${f(loop.p99Ms, 1)} / ${f(loop.maxMs, 1)}`, ''],
    ["server CPU per measured turn (user + system over the window / turns; 1 core = 1000 ms/s)", `${f(loop.cpuMs / Math.max(1, load.turns), 2)} ms (${f(loop.cpuMs / Number(args.duration) / 10, 0)}% of a core)`, ''],
    ['server RSS max / at the end (MB)', `${f(loop.rssMaxMb)} / ${f(loop.rssMb)}`, ''],
  ];
  console.log('\n| measure | figure | target |');
  console.log('| --- | --- | --- |');
  for (const [m, v, t] of rows) console.log(`| ${m} | ${v} | ${t} |`);
  for (const e of load.errorSamples) console.log(`  error: ${e}`);
  const met = load.sessions >= TARGET.sessions && beyond.p99 <= TARGET.lagP99Ms && perTurnPerNode <= TARGET.callsPerTurnPerNode && load.errors === 0;
  console.log(`\nlag beyond the model = lag − ${MODEL_MS} ms (the simulator's fixed latency) − the time waited for an update already in flight (at most ${MODEL_MS} ms).`);
  console.log(pinning ? `server pinned to CPU ${pinning.server}; this client and the simulator on CPUs ${pinning.load}` : 'unpinned (BENCH_PIN=1 pins the server to CPU 0)');
  console.log(`machine load average: ${loadavg()[0]?.toFixed(2)} (2 cores shared with other work); goal ${met ? 'met' : 'not met'} at ${N} sessions`);
}

await main();
