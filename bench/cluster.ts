/**
 * `npm run bench:cluster`: several Mofang servers as one, on one throwaway PostgreSQL (Debian's packages,
 * started and removed here), every process on 127.0.0.1. The simulator runs as its own process with a fixed
 * capacity (64 at once, no slowdown under load) and is the endpoint of every server, its max_concurrency 64
 * split across the live servers. Measured:
 *  1. /v1 synchronous runs/s and p50/p99 with clients spread round-robin over 1, 2 and 3 servers (the
 *     simulator at 20 ms to first token: the servers, not the endpoint, are what is loaded), with the CPU
 *     each step used (Linux /proc: the machine's busy share, the servers' and the load generator's CPU ms
 *     per run) and the runs/s the machine's cores allow at that cost: on a box where the servers, PostgreSQL,
 *     the simulator and the load generator share few cores, a third server cannot add what no core has left;
 *  2. a 5,000-item NDJSON job (simulator at 1 s to first token) with one server SIGKILLed at 40% and a
 *     fourth started: every item must end once (results, ids, counts), attempts > 1 counted, the job
 *     completed once (its webhook called once), and items/s outside the restart window as a share of the
 *     simulator's own capacity (measured by driving it directly, saturated).
 * Knobs (env): BENCH_CLUSTER_ITEMS (5000), BENCH_CLUSTER_RUN_MS (10000 per step), BENCH_CLUSTER_CONCURRENCY
 * (48 /v1 clients), BENCH_CLUSTER_LEASE_MS (10000: MOFANG_JOB_LEASE_MS of the servers). PostgreSQL takes a
 * port from MOFANG_TEST_PG_PORTS (default 55432-55439). Exit code 1 when an exactly-once check fails.
 */
import { cpus } from 'node:os';
import { queryPostgres, startTestPostgres } from '../server/src/storage/pg/testing.js';
import { cpuDuring, driveRuns, loadAverage, publishEcho, simulatorCapacity, startClusterServer, track, transcript, webhookCounter } from './cluster-procs.js';
import { json, startSimulator, stop, type Proc } from './jobs-procs.js';

const ITEMS = Number(process.env.BENCH_CLUSTER_ITEMS ?? 5000);
const RUN_MS = Number(process.env.BENCH_CLUSTER_RUN_MS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CLUSTER_CONCURRENCY ?? 48);
const LEASE_MS = Number(process.env.BENCH_CLUSTER_LEASE_MS ?? 10_000);
const CAPACITY = 64;
/** How long after the kill the cluster counts as restarting: the item lease ×1.5 (pg-boss expiry + maintenance) or the dead server's heartbeat lease (15 s), + 5 s. */
const SETTLE_MS = Math.max(1.5 * LEASE_MS, 20_000) + 5_000;
const rows: Array<[string, string, string]> = [];
const row = (what: string, figure: string, target: string) => rows.push([what, figure, target]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(`bench:cluster on ${cpus().length} cores; load average at start: ${loadAverage()}`);
const pg = await startTestPostgres({ database: 'mofang_cluster' });
const servers: Proc[] = [];
let ok = true;
try {
  const sim = track(await startSimulator(['--capacity', String(CAPACITY), '--ttft', '20', '--per-token', '1', '--load-factor', '0', '--max-queue', '100000']));
  const env = { MOFANG_SECRET_KEY: 'bench-cluster-secret-key-0123456789', MOFANG_MODEL_MAX_CONCURRENCY: String(CAPACITY), MOFANG_JOB_LEASE_MS: String(LEASE_MS), MOFANG_HTTP_ALLOW: '127.0.0.1', MOFANG_MODEL_TIMEOUT_MS: '60000' };
  // All three start at once: migrations run under an advisory lock, once.
  servers.push(...(await Promise.all([0, 1, 2].map(() => startClusterServer(pg.url, sim.url, env)))));
  console.log(`PostgreSQL ${pg.url.replace(/\/\/[^@]*@/, '//')}; simulator ${sim.url}; servers ${servers.map((s) => s.url).join(' ')}`);
  const key = await publishEcho(servers[0].url, 'echo');
  const auth = { authorization: `Bearer ${key}` };

  // 1. /v1 runs/s with the clients spread over 1, 2 and 3 servers.
  let cpuPerRun = NaN;
  await sleep(6_000); // every server has counted the others (heartbeat every 5 s) and split the endpoint
  for (const n of [1, 2, 3]) {
    const urls = servers.slice(0, n).map((s) => s.url);
    await driveRuns(urls, 'echo', key, CONCURRENCY, 1_500); // warm-up
    const { result: r, cpu } = await cpuDuring({ servers: servers.slice(0, n), simulator: sim, pgDir: pg.dir }, () => driveRuns(urls, 'echo', key, CONCURRENCY, RUN_MS));
    const perRun = (ms: number) => (r.runs > 0 ? ms / r.runs : NaN).toFixed(2);
    const clusterMs = cpu.serversMs + cpu.postgresMs + cpu.simulatorMs + cpu.benchMs;
    console.log(`/v1 over ${n} server(s): ${r.runs} runs, ${r.runsPerS.toFixed(1)} runs/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ''}; ${(cpu.machineBusy * 100).toFixed(0)}% of ${cpus().length} cores busy`);
    row(`/v1 runs/s, ${CONCURRENCY} clients over ${n} server(s) (p50 / p99 ms)`, `${r.runsPerS.toFixed(1)} (${r.p50} / ${r.p99})${r.errors ? `, ${r.errors} errors` : ''}`, n === 1 ? 'baseline' : 'more than with fewer servers while cores are left');
    row(`  cores busy; CPU ms per run: servers / PostgreSQL / simulator / load generator = all`, `${(cpu.machineBusy * 100).toFixed(0)}%; ${perRun(cpu.serversMs)} / ${perRun(cpu.postgresMs)} / ${perRun(cpu.simulatorMs)} / ${perRun(cpu.benchMs)} = ${perRun(clusterMs)}`, '-');
    cpuPerRun = clusterMs / Math.max(1, r.runs);
  }
  // What the machine can give at all: its cores over the CPU one run costs the whole cluster.
  row(`/v1 runs/s ${cpus().length} cores allow at the last step's CPU per run (cores × 1000 / all CPU ms per run)`, ((cpus().length * 1000) / cpuPerRun).toFixed(0), '-');

  // 2. The simulator's own capacity at the job's latency, driven directly and saturated.
  await json('PUT', `${sim.url}/sim/config`, { ttftMs: 1000, perTokenMs: 5 });
  const capacity = await simulatorCapacity(sim.url, 8 * CAPACITY, 3 * CAPACITY);
  console.log(`simulator capacity (direct, ${3 * CAPACITY} in flight): ${capacity.toFixed(1)} items/s`);
  row('simulator capacity, items/s (direct saturating load)', capacity.toFixed(1), '-');

  // 3. The job, a kill -9 at 40% and a fourth server.
  const hook = await webhookCounter();
  const body = Array.from({ length: ITEMS }, (_, i) => JSON.stringify({ id: `item-${i}`, inputs: { transcript: transcript(i) } })).join('\n');
  const submitted = await fetch(`${servers[0].url}/v1/scenarios/echo/jobs?webhook=${encodeURIComponent(hook.url)}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body });
  if (submitted.status !== 202) throw new Error(`job submission: ${submitted.status} ${await submitted.text()}`);
  const { job_id: jobId } = (await submitted.json()) as { job_id: string };
  const t0 = Date.now();
  let killedAt = 0, fourthUpAt = 0, poll = 0, runningAtKill = 0;
  let progress: Record<string, unknown> = {};
  const live = () => servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  for (;;) {
    await sleep(1_000);
    const at = live()[poll++ % live().length];
    progress = (await json('GET', `${at.url}/v1/jobs/${jobId}`, undefined, auth)) as Record<string, unknown>;
    const done = Number(progress.succeeded) + Number(progress.failed);
    console.log(`  t=${((Date.now() - t0) / 1000).toFixed(0)}s ${String(progress.status)} ${done}/${ITEMS} (asked ${new URL(at.url).port}, ${live().length} servers live)`);
    if (!killedAt && done >= 0.4 * ITEMS) {
      await stop(servers[1], true);
      killedAt = Date.now();
      // Items claimed at the kill on every server: an upper bound on what the killed one held (only those may run twice).
      runningAtKill = (await queryPostgres<{ n: number }>(pg.url, `select count(*)::int as n from job_items where job_id = $1 and status = 'running'`, [jobId]))[0].n;
      console.log(`  SIGKILL server ${new URL(servers[1].url).port} at ${done} items; starting a fourth`);
      servers.push(await startClusterServer(pg.url, sim.url, env));
      fourthUpAt = Date.now();
      console.log(`  fourth server ${servers[3].url} up after ${((fourthUpAt - killedAt) / 1000).toFixed(1)} s`);
    }
    if (progress.status === 'completed' || progress.status === 'cancelled') break;
    if (Date.now() - t0 > 20 * 60_000) throw new Error('the job did not finish within 20 minutes');
  }
  await sleep(3_000); // a second completion, if one were coming, and the webhook's delivery
  const results = await (await fetch(`${live()[0].url}/v1/jobs/${jobId}/results`, { headers: auth })).text();
  const lines = results.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; status: string });
  const unique = new Set(lines.map((l) => l.id)).size;
  const [counts] = await queryPostgres<{ items: number; ended: number; retried: number; max_attempts: number }>(pg.url, `select count(*)::int as items, count(*) filter (where status in ('succeeded','failed'))::int as ended, count(*) filter (where attempts > 1)::int as retried, max(attempts)::int as max_attempts from job_items where job_id = $1`, [jobId]);
  const finishes = (await queryPostgres<{ f: number }>(pg.url, `select finished_at::float8 as f from job_items where job_id = $1 and finished_at is not null order by finished_at`, [jobId])).map((r) => r.f);
  const [job] = await queryPostgres<{ status: string; s: number; f: number }>(pg.url, `select status, started_at::float8 as s, finished_at::float8 as f from jobs where id = $1`, [jobId]);
  const rate = (from: number, to: number) => finishes.filter((f) => f >= from && f < to).length / ((to - from) / 1000);
  const at = (q: number) => finishes[Math.floor(finishes.length * q)];
  // From 15% done: the first ~10 s are the limiter's ramp (it starts at 8 in flight and re-learns the latency the /v1 step left it at).
  const before = rate(at(0.15), killedAt);
  const afterFrom = killedAt + SETTLE_MS, afterTo = at(0.97);
  const after = afterTo > afterFrom + 5_000 ? rate(afterFrom, afterTo) : NaN;
  const dip = rate(killedAt, killedAt + SETTLE_MS);
  await hook.close();

  const exact = lines.length === ITEMS && unique === ITEMS && Number(progress.succeeded) + Number(progress.failed) === ITEMS && counts.ended === ITEMS;
  ok = exact && job.status === 'completed' && hook.count() === 1 && counts.retried <= runningAtKill;
  row('job items: results lines / unique ids / succeeded+failed / ended in job_items', `${lines.length} / ${unique} / ${Number(progress.succeeded)}+${Number(progress.failed)} / ${counts.ended}`, `${ITEMS} each`);
  row('items with attempts > 1 (run again after the lease took them over)', `${counts.retried} (max attempts ${counts.max_attempts}; ${runningAtKill} running on all servers at the kill)`, '≤ items the killed server held');
  row('job status / completion webhooks received', `${job.status} / ${hook.count()}`, 'completed / 1');
  row('job wall time, s (kill at 40%, fourth server up after)', `${((job.f - job.s) / 1000).toFixed(1)} (${((fourthUpAt - killedAt) / 1000).toFixed(1)} s)`, '-');
  const pct = (x: number) => (Number.isNaN(x) ? 'n/a (window too short)' : `${x.toFixed(1)} items/s = ${((100 * x) / capacity).toFixed(1)}%`);
  row('items/s before the kill (15% done → kill), % of capacity', pct(before), '≥ 90%');
  row(`items/s during the restart window (kill → +${SETTLE_MS / 1000} s), % of capacity`, pct(dip), '-');
  row(`items/s after takeover settled (kill +${SETTLE_MS / 1000} s → 97% done), % of capacity`, pct(after), '≥ 90%');
} catch (error) {
  ok = false;
  console.error('bench:cluster failed:', error);
} finally {
  for (const s of servers) await stop(s, true);
  await pg.stop();
}
console.log('\n| what | figure | target |\n| --- | --- | --- |');
for (const [w, f, t] of rows) console.log(`| ${w} | ${f} | ${t} |`);
console.log(`\nload average at end: ${loadAverage()} (${cpus().length} cores)`);
console.log(ok ? 'exactly once: every item ended once, the job completed once' : 'FAILED: see the table');
process.exit(ok ? 0 : 1);
