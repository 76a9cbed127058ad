/**
 * The latency-shift step of `npm run bench:jobs` (also `npm run bench:shift` alone): 64 clients call a
 * one-model-call scenario live (`POST /v1/scenarios/summary/run`) against the simulator as its own
 * process, with room for all of them (capacity 1024) and a first token after ≈0 ms. After 10 s the
 * simulator's first token moves to 200 ms for good (a busier or bigger deployment). The ideal from then
 * on is 64 / 0.2 s = 320 runs/s (a run's own overhead, ≈10 ms on loopback, puts the reachable figure
 * near 300); the step reports how long live throughput took to be back at ≥ 90% of the ideal and stay
 * there. The adaptive limit must follow the new normal, not read it as congestion.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { adminHeaders, json, ROOT, startMofang, startProc, stop } from './jobs-procs.js';

const CLIENTS = 64;
const SHIFT_AT_S = 10;
const END_S = 30;
const NEW_TTFT_MS = 200;
const TRANSCRIPT = '坐席：您好，工号 2046。\n客户：我家宽带断了，电话 13912345678。\n坐席：已为您登记报修，感谢来电。';

export interface ShiftReport {
  /** Completed runs in each second from 2 s before the shift to 12 s after it. */
  series: number[];
  beforePerS: number;
  idealAfter: number;
  recoveredAfterS: number | null;
  afterPerS: number;
  failures: number;
}

/** Runs the step and returns its figures (the caller prints them). */
export async function latencyShift(): Promise<ShiftReport> {
  const sim = await startProc(['simulator', '--port', '0', '--host', '127.0.0.1', '--capacity', '1024', '--ttft', '0', '--per-token', '0'], {}, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-bench-shift-'));
  try {
    execFileSync(process.execPath, [`${ROOT}bin/mofang.mjs`, 'publish', 'templates/call-summary/graph.json', '--slug', 'summary'], { cwd: ROOT, env: { ...process.env, MOFANG_DATA_DIR: dir }, stdio: 'pipe' });
    const server = await startMofang(dir, sim.url);
    try {
      // No per-key rate limit: the step measures the model path, not the key's quota.
      const created = await json('POST', `${server.url}/api/keys`, { name: 'bench', rate_limit: 10_000_000 }, await adminHeaders(server.url));
      const key = typeof created === 'object' && created !== null && 'key' in created ? String(created.key) : '';
      const agent = new Agent({ connections: CLIENTS, keepAliveTimeout: 30_000 });
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const body = JSON.stringify({ inputs: { transcript: TRANSCRIPT } });
      const started = performance.now();
      const done: number[] = [];
      let failures = 0;
      let shifted = false;
      const limits: string[] = [];
      const watch = setInterval(() => {
        if (!process.env.BENCH_SHIFT_DEBUG) return;
        void json('GET', `${server.url}/api/health`).then((h) => {
          const e = typeof h === 'object' && h !== null && Array.isArray(Reflect.get(h, 'endpoints')) ? Reflect.get(h, 'endpoints')[0] : undefined;
          if (e) limits.push(`${((performance.now() - started) / 1000).toFixed(1)}s:${e.limit}/${e.in_flight}`);
        }, (error: unknown) => limits.push(String(error)));
      }, 500);
      const shift = setTimeout(() => {
        shifted = true;
        void json('PUT', `${sim.url}/sim/config`, { ttftMs: NEW_TTFT_MS });
      }, SHIFT_AT_S * 1000);
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (performance.now() - started < END_S * 1000) {
            // undici's request, not fetch: the load generator should spend as little of the machine as it can.
            const res = await agent.request({ origin: server.url, path: '/v1/scenarios/summary/run', method: 'POST', headers, body });
            await res.body.arrayBuffer();
            if (res.statusCode === 200) done.push((performance.now() - started) / 1000);
            else failures += 1;
          }
        }),
      );
      clearTimeout(shift);
      clearInterval(watch);
      if (process.env.BENCH_SHIFT_DEBUG) console.log(limits.join(' '));
      await agent.close();
      if (!shifted) throw new Error('the run ended before the shift');
      const perSecond = (from: number) => done.filter((t) => t >= from && t < from + 1).length;
      const idealAfter = CLIENTS / (NEW_TTFT_MS / 1000);
      // The first second after the shift from which throughput, averaged over any three consecutive
      // seconds to the end, stays at ≥ 90% of ideal: a one-second dip from scheduling on a shared
      // two-core machine is noise, not a relapse (the series is printed as it is as well).
      const WINDOW = 3;
      const mean = (t: number) => Array.from({ length: WINDOW }, (_, i) => perSecond(t + i)).reduce((a, b) => a + b, 0) / WINDOW;
      let recoveredAfterS: number | null = null;
      for (let s = SHIFT_AT_S; s <= END_S - 1 - WINDOW; s++) {
        let ok = true;
        for (let t = s; t <= END_S - 1 - WINDOW; t++) if (mean(t) < 0.9 * idealAfter) ok = false;
        if (ok) {
          recoveredAfterS = s + WINDOW - SHIFT_AT_S;
          break;
        }
      }
      const span = (a: number, b: number) => done.filter((t) => t >= a && t < b).length / (b - a);
      const series = Array.from({ length: 14 }, (_, i) => perSecond(SHIFT_AT_S - 2 + i));
      return { series, beforePerS: span(2, SHIFT_AT_S), idealAfter, recoveredAfterS, afterPerS: span(END_S - 10, END_S - 1), failures };
    } finally {
      await stop(server);
    }
  } finally {
    await stop(sim);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The step's table, with the target beside each figure. */
export function printShift(r: ShiftReport): void {
  console.log(`\nlatency shift: ${CLIENTS} live clients, first token ≈0 → ${NEW_TTFT_MS} ms at ${SHIFT_AT_S} s, ${END_S} s in all`);
  console.log('| metric | value | target |');
  console.log('| --- | --- | --- |');
  console.log(`| runs/s before the shift (2–${SHIFT_AT_S} s) | ${r.beforePerS.toFixed(0)} | |`);
  console.log(`| ideal runs/s after the shift | ${r.idealAfter.toFixed(0)} | |`);
  console.log(`| back at ≥ 90% of ideal (3 s mean), for good, after | ${r.recoveredAfterS === null ? 'never' : `${r.recoveredAfterS} s`} | ≤ 10 s |`);
  console.log(`| runs/s over the last 10 s | ${r.afterPerS.toFixed(0)} (${((100 * r.afterPerS) / r.idealAfter).toFixed(0)}% of ideal) | ≥ 90% |`);
  console.log(`| failed runs | ${r.failures} | 0 |`);
  console.log(`runs per second from 2 s before the shift to 12 s after: ${r.series.map((n, i) => (i === 2 ? `| ${n}` : String(n))).join(' ')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const report = await latencyShift();
  printShift(report);
  process.exitCode = report.recoveredAfterS !== null && report.recoveredAfterS <= 10 && report.failures === 0 ? 0 : 1;
}
