/**
 * `npm run bench:jobs`: the 2,124 STC-3 conversations through the call-quality-audit template as one
 * JSONL job, against `mofang simulator` run as its own process (capacity 64, 300 ms to first token,
 * 20 ms a token), with Mofang as its own process. Three runs: clean, 10% injected faults, and a kill -9
 * of the server midway with a restart on the same data dir. Capacity is measured first by driving the
 * simulator directly with a saturating load (2.5× its capacity in flight) of the same runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GraphSchema } from '../shared/src/graph.js';
import { compileGraph, runPlan } from '../server/src/engine/index.js';
import { OpenAICompatibleClient } from '../server/src/model/openai-client.js';
import { createEngineServices } from '../server/src/services/index.js';
import { adminHeaders, json, publishAudit, ROOT, startMofang, startSimulator, stop, type Proc } from './jobs-procs.js';
import { latencyShift, printShift, type ShiftReport } from './latency-shift.js';

interface Row { id: string; turns: unknown }
const file = process.env.MOFANG_DATA_FILE ?? path.join(ROOT, '../shared/data/stc3-telecom-cn.jsonl');
const rows: Row[] = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const jsonl = rows.map((r) => JSON.stringify({ id: r.id, inputs: { transcript: { turns: r.turns } } })).join('\n');
const graph = GraphSchema.parse(JSON.parse(readFileSync(path.join(ROOT, 'templates/call-quality-audit/graph.json'), 'utf8')));
type Stats = { requests: number; completed: number; queueFull: number; faults: Record<string, number> };
const simStats = async (sim: Proc) => json('GET', `${sim.url}/sim/stats`) as Promise<Stats>;
const faultSum = (s: Stats) => Object.values(s.faults).reduce((a, b) => a + b, 0);

/**
 * Items/s the simulator sustains when kept saturated, measured between the 10th and 90th percentile finish,
 * on `n` rows taken evenly across the file (its first rows are shorter than the average: 12.74 against
 * 12.59 items/s for a spread of 768, 12.41 for rows 700–1,467).
 */
async function calibrate(sim: Proc, n: number): Promise<{ itemsPerS: number; callsPerItem: number }> {
  const services = createEngineServices({});
  const compiled = compileGraph(graph, { templateLimits: services.templateLimits });
  if (!compiled.ok) throw new Error('the audit template does not compile');
  const client = new OpenAICompatibleClient({ baseUrl: `${sim.url}/v1`, maxConcurrency: 256, timeoutMs: 60_000 });
  const models = { resolve: () => ({ client, model: 'mofang-simulator' }) };
  const before = await simStats(sim);
  const t0 = performance.now();
  const finishes: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 160 }, async () => {
    while (next < n) {
      // Spread over the whole file, so the measured mix of conversation lengths is the job's mix.
      const row = rows[Math.floor((next++ * rows.length) / n) % rows.length];
      await runPlan(compiled.plan, { transcript: { turns: row.turns } }, { models, services, priority: 1 });
      finishes.push(performance.now() - t0);
    }
  }));
  const after = await simStats(sim);
  await client.close();
  await services.close();
  finishes.sort((a, b) => a - b);
  const lo = finishes[Math.floor(n * 0.1)], hi = finishes[Math.floor(n * 0.9)];
  return { itemsPerS: (0.8 * n) / ((hi - lo) / 1000), callsPerItem: (after.requests - before.requests) / n };
}

interface RunReport { name: string; seconds: number; itemsPerS: number; steadyPerS: number; succeeded: number; failed: number; unique: number; lines: number; abandoned: number; p50: number; p99: number; reasons: string; maxLimitNote: string }

async function runJob(name: string, sim: Proc, opts: { faults?: Record<string, number>; killAt?: number }): Promise<RunReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-bench-jobs-'));
  try {
    publishAudit(dir);
    let server = await startMofang(dir, sim.url);
    const created = await json('POST', `${server.url}/api/keys`, { name: 'bench' }, await adminHeaders(server.url));
    const key = typeof created === 'object' && created !== null && 'key' in created ? String(created.key) : '';
    const auth = { authorization: `Bearer ${key}` };
    await json('PUT', `${sim.url}/sim/config`, { errorRate: 0, timeoutRate: 0, malformedRate: 0, rateLimitRate: 0, ...opts.faults });
    const before = await simStats(sim);
    const res = await fetch(`${server.url}/v1/scenarios/audit/jobs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: jsonl });
    const { job_id } = (await res.json()) as { job_id: string };
    let killed = false;
    let progress: Record<string, unknown> = {};
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      progress = (await json('GET', `${server.url}/v1/jobs/${job_id}`, undefined, auth)) as Record<string, unknown>;
      if (opts.killAt !== undefined && !killed && Number(progress.succeeded) + Number(progress.failed) >= opts.killAt) {
        killed = true;
        await stop(server, true);
        console.log(`  ${name}: kill -9 at ${Number(progress.succeeded) + Number(progress.failed)} finished, restarting`);
        server = await startMofang(dir, sim.url);
        continue;
      }
      if (progress.status === 'completed' || progress.status === 'cancelled') break;
    }
    const results = await (await fetch(`${server.url}/v1/jobs/${job_id}/results`, { headers: auth })).text();
    const lines = results.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; status: string; error?: { code: string; message: string } });
    await stop(server);
    const after = await simStats(sim);
    await json('PUT', `${sim.url}/sim/config`, { errorRate: 0, timeoutRate: 0, malformedRate: 0, rateLimitRate: 0 });
    const db = new Database(path.join(dir, 'mofang.db'), { readonly: true });
    const items = db.prepare(`select latency_ms as l, started_at as s, finished_at as f from job_items where job_id = ? and finished_at is not null order by f`).all(job_id) as Array<{ l: number; s: number; f: number }>;
    const job = db.prepare(`select started_at as s, finished_at as f from jobs where id = ?`).get(job_id) as { s: number; f: number };
    db.close();
    const lat = items.map((i) => i.l).sort((a, b) => a - b);
    const fin = items.map((i) => i.f);
    const lo = fin[Math.floor(fin.length * 0.1)], hi = fin[Math.floor(fin.length * 0.9)];
    const reasons = new Map<string, number>();
    for (const l of lines) if (l.error) reasons.set(l.error.code, (reasons.get(l.error.code) ?? 0) + 1);
    const seconds = (job.f - job.s) / 1000;
    return {
      name, seconds, itemsPerS: rows.length / seconds, steadyPerS: (0.8 * fin.length) / ((hi - lo) / 1000),
      succeeded: Number(progress.succeeded), failed: Number(progress.failed), unique: new Set(lines.map((l) => l.id)).size, lines: lines.length,
      // Calls the simulator started but neither finished nor faulted: the client gave up (a timeout) or was killed.
      abandoned: after.requests - before.requests - (after.completed - before.completed) - (faultSum(after) - faultSum(before)) - (after.queueFull - before.queueFull),
      p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)],
      reasons: [...reasons].map(([k, v]) => `${k} ${v}`).join(', ') || '-', maxLimitNote: '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sim = await startSimulator();
try {
  console.log(`simulator ${sim.url}; ${rows.length} conversations`);
  const cal = await calibrate(sim, 768);
  console.log(`capacity (direct saturating load, 768 items, 160 in flight): ${cal.itemsPerS.toFixed(2)} items/s, ${cal.callsPerItem.toFixed(2)} model calls per item`);
  const faults = { errorRate: 0.04, timeoutRate: 0.02, malformedRate: 0.03, rateLimitRate: 0.01 };
  // BENCH_JOBS_RUNS=clean,faults,kill,shift picks runs (all four by default).
  const wanted = new Set((process.env.BENCH_JOBS_RUNS ?? 'clean,faults,kill,shift').split(','));
  const reports = [];
  if (wanted.has('clean')) reports.push(await runJob('clean', sim, {}));
  if (wanted.has('faults')) reports.push(await runJob('10% faults', sim, { faults }));
  if (wanted.has('kill')) reports.push(await runJob('kill -9 midway', sim, { killAt: Math.floor(rows.length / 2) }));
  console.log('\n| run | seconds | items/s | % of capacity | steady items/s | succeeded | failed | results lines | unique ids | abandoned calls | p50 ms | p99 ms | failure reasons |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of reports) {
    console.log(`| ${r.name} | ${r.seconds.toFixed(1)} | ${r.itemsPerS.toFixed(2)} | ${((100 * r.itemsPerS) / cal.itemsPerS).toFixed(1)}% | ${r.steadyPerS.toFixed(2)} (${((100 * r.steadyPerS) / cal.itemsPerS).toFixed(1)}%) | ${r.succeeded} | ${r.failed} | ${r.lines} | ${r.unique} | ${r.abandoned} | ${r.p50} | ${r.p99} | ${r.reasons} |`);
  }
  const ok = reports.every((r) => r.lines === rows.length && r.unique === rows.length && r.succeeded + r.failed === rows.length);
  console.log(ok ? `\nevery run: ${rows.length} results, each id once` : '\nLOSS OR DUPLICATES: see the table');
  const clean = reports.find((r) => r.name === 'clean');
  if (clean) console.log(`clean run: ${((100 * clean.steadyPerS) / cal.itemsPerS).toFixed(1)}% of capacity in steady state (target ≥ 95%), ${clean.abandoned} abandoned calls (target 0)`);
  let shift: ShiftReport | undefined;
  if (wanted.has('shift')) printShift((shift = await latencyShift()));
  const shiftOk = !shift || (shift.recoveredAfterS !== null && shift.recoveredAfterS <= 10 && shift.failures === 0);
  process.exitCode = ok && shiftOk ? 0 : 1;
} finally {
  await stop(sim);
}
