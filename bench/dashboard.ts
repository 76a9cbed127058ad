/**
 * `npm run bench:dashboard`: the inspection dashboard and the `/v1` metrics on SQLite and on PostgreSQL
 * over the same rows. Fills a SQLite data directory (a temp folder) and a throwaway PostgreSQL
 * (storage/pg/testing.ts: 127.0.0.1 only, a port of MOFANG_TEST_PG_PORTS, stopped and deleted at the
 * end) with MOFANG_BENCH_CALLS audited calls (default 20,000) and as many `/v1` runs (./dashboard-data.ts;
 * transcripts from MOFANG_BENCH_TRANSCRIPTS, default ../shared/data/stc3-telecom-cn.jsonl), then times,
 * best of MOFANG_BENCH_ROUNDS (default 3), what the routes call: the full dashboard of the scenario, one
 * drill-down page (the calls failing one audit item, worst first; and those of one score bar) and the
 * metrics per hour with the first page of runs; and, once, the first dashboard read. On PostgreSQL a server
 * stores each call's extraction as it succeeds (jobs/dashboard.ts auditExtractor): the bench does the same
 * before the first read and times it apart, then also times a first read of calls never extracted (rows
 * older than the extractor), which stores their extraction itself (jobs/dashboard-sql.ts). Prints a table, whether every answer
 * was the same on both stores, the load average before and after, and exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../server/src/storage/db.js';
import { openPostgresStore } from '../server/src/storage/pg/store.js';
import { startTestPostgres } from '../server/src/storage/pg/testing.js';
import { sqliteDataStore, type OpenDataStore } from '../server/src/storage/store.js';
import { sql } from 'drizzle-orm';
import { auditExtractor, computeDashboard } from '../server/src/jobs/dashboard.js';
import { rawRows } from '../server/src/storage/dialect-sql.js';
import { callsBehind } from '../server/src/jobs/dashboard-calls.js';
import { apiRunMetrics, listApiRuns } from '../server/src/metrics/queries.js';
import { fill, RANGE, SCENARIO, transcripts } from './dashboard-data.js';

/** Succeeded items the runner tells of at once (about one outcome-writer batch). */
const EXTRACT_TOLD = 50;
const calls = Number(process.env.MOFANG_BENCH_CALLS ?? 20_000);
const rounds = Number(process.env.MOFANG_BENCH_ROUNDS ?? 3);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const talks = transcripts(process.env.MOFANG_BENCH_TRANSCRIPTS ?? path.resolve(root, '../shared/data/stc3-telecom-cn.jsonl'));

type Case = { what: string; run: (store: OpenDataStore) => Promise<unknown> };
const scope = { scenarioId: SCENARIO };
const cases: Case[] = [
  { what: 'full dashboard (scenario, 7 days)', run: (s) => computeDashboard(s, scope, { tzMinutes: 480 }) },
  { what: 'drill-down page (item "empathy" fail, 50)', run: (s) => callsBehind(s, scope, { kind: 'item', id: 'empathy', result: 'fail' }, 0, 50) },
  { what: 'drill-down page (score 60-70, 50)', run: (s) => callsBehind(s, scope, { kind: 'score', from: 60, to: 70 }, 0, 50) },
  {
    what: '/v1 metrics per hour + runs page',
    run: async (s) => [await apiRunMetrics(s, SCENARIO, { ...RANGE, bucket: 'hour' }), await listApiRuns(s, SCENARIO, { limit: 50 })],
  },
];

async function best(store: OpenDataStore, c: Case): Promise<{ ms: number; answer: string }> {
  let ms = Infinity;
  let answer = '';
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const got = await c.run(store);
    ms = Math.min(ms, performance.now() - t);
    answer = JSON.stringify(got);
  }
  return { ms, answer };
}

const load = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mofang-bench-dashboard-'));
const server = await startTestPostgres({ database: 'bench_dashboard' });
const stores: OpenDataStore[] = [];
try {
  const lite = sqliteDataStore(openStore(dir));
  const pg = await openPostgresStore(server.url);
  stores.push(lite, pg);
  for (const [name, store] of [['SQLite', lite], ['PostgreSQL', pg]] as const) {
    const t = performance.now();
    await fill(store, calls, talks);
    process.stderr.write(`filled ${name} with ${calls} calls and ${calls} /v1 runs in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const before = load();
  const rows: string[][] = [];
  const differ: string[] = [];
  let total = [0, 0];
  // On PostgreSQL a server stores each call's extraction as it succeeds (jobs/dashboard.ts auditExtractor,
  // told by the runner in batches): the same here, in batches of EXTRACT_TOLD, timed apart.
  const extractor = auditExtractor(pg);
  const written = await rawRows(pg, sql`select job_id as "jobId", seq from job_items where status = 'succeeded' order by finished_at`);
  const extractStart = performance.now();
  for (let i = 0; i < written.length; i += EXTRACT_TOLD) extractor?.add(written.slice(i, i + EXTRACT_TOLD).map((r) => ({ jobId: String(r.jobId), seq: Number(r.seq) })));
  await extractor?.settled();
  const extractMs = performance.now() - extractStart;
  // The first dashboard read (SQLite: a cold reader; PostgreSQL: the extractions already stored, as on a server).
  const cold: number[] = [];
  for (const store of [lite, pg]) {
    const t = performance.now();
    await cases[0].run(store);
    cold.push(performance.now() - t);
  }
  // And a first read of calls nobody extracted yet (rows written before this build): the read stores them.
  await rawRows(pg, sql`update job_items set audit = null`);
  const t0 = performance.now();
  await cases[0].run(pg);
  const unextracted = performance.now() - t0;
  // What a server does at start for such rows (in the background): the backfill.
  await rawRows(pg, sql`update job_items set audit = null`);
  const t1 = performance.now();
  const backfilled = (await extractor?.backfill()) ?? 0;
  const backfillMs = performance.now() - t1;
  const first = [
    ['full dashboard, first read', cold[0].toFixed(0), cold[1].toFixed(0), cold[1] <= cold[0] ? 'PG ≤ SQLite: yes' : `PG ≤ SQLite: no (×${(cold[1] / cold[0]).toFixed(2)})`],
    [`PG: extraction stored as calls succeed, ms per 1,000 calls (batches of ${EXTRACT_TOLD})`, '-', ((extractMs / written.length) * 1000).toFixed(0), 'off the read path'],
    [`PG: extraction of ${backfilled} older calls stored at start (backfill), ms per 1,000 calls`, '-', ((backfillMs / Math.max(1, backfilled)) * 1000).toFixed(0), 'in the background'],
    ['PG: first read of older calls before the backfill reached them (+ stores them)', cold[0].toFixed(0), unextracted.toFixed(0), unextracted <= cold[0] ? 'PG ≤ SQLite: yes' : `PG ≤ SQLite: no (×${(unextracted / cold[0]).toFixed(2)})`],
  ];
  for (const c of cases) {
    const a = await best(lite, c);
    const b = await best(pg, c);
    if (a.answer !== b.answer) {
      differ.push(c.what);
      let at = 0;
      while (at < a.answer.length && a.answer[at] === b.answer[at]) at++;
      process.stderr.write(`${c.what} differs at ${at}:\n  SQLite:     …${a.answer.slice(Math.max(0, at - 150), at + 80)}\n  PostgreSQL: …${b.answer.slice(Math.max(0, at - 150), at + 80)}\n`);
    }
    total = [total[0] + a.ms, total[1] + b.ms];
    rows.push([c.what, a.ms.toFixed(0), b.ms.toFixed(0), b.ms <= a.ms ? 'PG ≤ SQLite: yes' : `PG ≤ SQLite: no (×${(b.ms / a.ms).toFixed(2)})`]);
  }
  rows.push(['all of the above (best of each)', total[0].toFixed(0), total[1].toFixed(0), total[1] <= total[0] ? 'PG ≤ SQLite: yes' : `PG ≤ SQLite: no (×${(total[1] / total[0]).toFixed(2)})`]);
  const head = ['what', 'SQLite ms', 'PostgreSQL ms', 'target (PG ≤ SQLite)'];
  const widths = head.map((h, i) => Math.max(h.length, ...[...first, ...rows].map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  process.stdout.write(`${calls} audited calls, ${calls} /v1 runs, best of ${rounds}; load average before ${before}, after ${load()} (${os.cpus().length} cores)\n`);
  process.stdout.write([line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...[...first, ...rows].map(line)].join('\n') + '\n');
  process.stdout.write(differ.length === 0 ? 'answers: identical on both stores\n' : `answers: DIFFER between the stores: ${differ.join('; ')}\n`);
  if (differ.length > 0) process.exitCode = 1;
} finally {
  for (const s of stores) await s.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
