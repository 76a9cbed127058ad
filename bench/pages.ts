/**
 * `npm run bench:pages`: what each page of the app costs a browser that has never seen it (issue 13 part 8).
 * Builds nothing: run `npx vite build` first (`--root DIR` measures another checkout's build and server,
 * e.g. main's, for a before/after). Starts that checkout's server (bench/pages-server.ts: the first admin, a
 * published audit scenario with a finished job, a key), then loads each page cold in Debian's Chromium
 * (playwright-core, a fresh user-data-dir per load, signed in by the admin's session cookie) and prints, per
 * page, the median (min–max) over BENCH_RUNS loads (default 3; `--runs N`) of:
 *   - JS transferred: the bytes of every JavaScript response as sent (gzip when the server compresses)
 *   - JS decoded: the same responses' bodies as the browser ran them
 *   - JS requests: how many JavaScript files were fetched
 *   - editor / chart chunks: files named `editor~…` (Monaco, the canvas library, the editor's panels) or
 *     `chart~…` (echarts), the naming vite.config.ts gives them; "n/a" for a build without that naming
 *   - cold load: ms from navigation start to the page's main content (a selector per page), in the page's clock,
 *     and the CPU time of the page's main thread till then (Chrome's ThreadTime) and its time running script
 *     (ScriptDuration): on a machine shared with other work, wall time swells far more than CPU time
 * with the target beside each figure; `--files` lists the files of each page's first load. Exits 1 when a median misses its target.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Response } from 'playwright-core';
import { startBenchServer, type BenchServer } from './pages-server.js';

const { values: args } = parseArgs({ options: { root: { type: 'string' }, runs: { type: 'string' }, files: { type: 'boolean', default: false } } });
const root = path.resolve(args.root ?? fileURLToPath(new URL('..', import.meta.url)));
const runs = Math.max(1, Number(args.runs ?? process.env.BENCH_RUNS ?? 3));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const KB = 1024;

/** A page to load: where, what shows it is there, and its budgets (undefined: reported, no target). */
interface PageSpec {
  name: string;
  hash: (s: BenchServer) => string;
  /** A CSS selector that exists once the page's main content has been drawn. */
  ready: string;
  gzipKb?: number;
  loadMs?: number;
  /** Whether editor (and chart) chunks may load: false means the target is 0 of them. */
  editor: boolean;
  chart: boolean;
}

/** The light pages share the list page's budget (issue 13: ≤ 600 KB gzip for the list page). */
const LIGHT = { gzipKb: 600, loadMs: 1500, editor: false };
const PAGES: PageSpec[] = [
  { name: 'list', hash: () => '#/', ready: '[data-testid=scenario-link]', ...LIGHT, chart: false },
  { name: 'gallery', hash: () => '#/templates', ready: '[data-testid^=template-card-] [data-preview-node], [data-testid^=template-card-] .react-flow__node', ...LIGHT, chart: false },
  { name: 'jobs (a job)', hash: (s) => `#/jobs/${s.scenarioId}/${s.jobId}`, ready: '[data-testid=job-view] [data-testid=job-progress]', ...LIGHT, chart: false },
  { name: 'jobs (dashboard)', hash: (s) => `#/jobs/${s.scenarioId}`, ready: '[data-testid=dashboard] canvas', editor: false, chart: true },
  { name: 'keys', hash: () => '#/keys', ready: '[data-testid=keys-table] tbody tr[data-row-key]', ...LIGHT, chart: false },
  { name: 'users', hash: () => '#/users', ready: '[data-testid=users-table] tbody tr[data-row-key]', ...LIGHT, chart: false },
  { name: 'editor', hash: (s) => `#/s/${s.scenarioId}`, ready: '.react-flow__node', editor: true, chart: true },
];

interface Load {
  gzip: number;
  decoded: number;
  requests: number;
  editor: number;
  chart: number;
  uncompressed: number;
  ms: number;
  /** CPU time of the page's main thread, and time spent running script, until the main content showed, ms (Chrome's metrics). */
  busyMs: number;
  scriptMs: number;
  /** Content-Encoding of the largest JavaScript response ('' for none). */
  encoding: string;
  /** The JavaScript files fetched, with their size as sent, in bytes. */
  files: Array<[string, number]>;
}

function isJs(r: Response): boolean {
  return /\.m?js$/.test(new URL(r.url()).pathname) || /javascript/.test(r.headers()['content-type'] ?? '');
}

/** One cold load of `spec` in a browser with a new profile. */
async function coldLoad(server: BenchServer, spec: PageSpec): Promise<Load> {
  const profile = mkdtempSync(path.join(tmpdir(), 'mofang-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  try {
    await context.addCookies([{ name: 'mofang_session', value: server.session, url: server.url }]);
    const scripts: Response[] = [];
    context.on('response', (r) => {
      if (isJs(r)) scripts.push(r);
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${server.url}/${spec.hash(server)}`, { waitUntil: 'commit' });
    const handle = await page.waitForFunction((sel) => (document.querySelector(sel) ? performance.now() : 0), spec.ready, { polling: 'raf', timeout: 60_000 });
    const ms = Number(await handle.jsonValue());
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
    await page.waitForLoadState('networkidle');
    const load: Load = { gzip: 0, decoded: 0, requests: scripts.length, editor: 0, chart: 0, uncompressed: 0, ms, busyMs: metric('ThreadTime'), scriptMs: metric('ScriptDuration'), encoding: '', files: [] };
    let largest = 0;
    for (const r of scripts) {
      const sizes = await r.request().sizes();
      load.gzip += sizes.responseBodySize;
      load.decoded += (await r.body()).length;
      const encoding = (await r.headerValue('content-encoding')) ?? '';
      if (!encoding) load.uncompressed += 1;
      if (sizes.responseBodySize > largest) [largest, load.encoding] = [sizes.responseBodySize, encoding];
      const file = path.basename(new URL(r.url()).pathname);
      load.files.push([file, sizes.responseBodySize]);
      if (file.startsWith('editor~')) load.editor += 1;
      if (file.startsWith('chart~')) load.chart += 1;
    }
    return load;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return { median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, min: sorted[0], max: sorted[sorted.length - 1] };
}

const named = readdirSync(path.join(root, 'dist/client/assets')).some((f) => f.startsWith('editor~'));
const server = await startBenchServer(root);
const results = new Map<string, Load[]>();
try {
  await coldLoad(server, PAGES[0]); // warm-up: the server's and the file system's caches, not counted
  for (let i = 0; i < runs; i++) for (const spec of PAGES) results.set(spec.name, [...(results.get(spec.name) ?? []), await coldLoad(server, spec)]);
} finally {
  await server.stop();
}

console.log(`bench:pages — ${root}, ${runs} cold loads per page, median (min–max)\n`);
let missed = 0;
const summary: string[] = [];
for (const spec of PAGES) {
  const loads = results.get(spec.name) ?? [];
  const rows: Array<{ what: string; target?: number; unit: string; values: number[]; scale?: number }> = [
    { what: 'JS transferred (as sent)', target: spec.gzipKb, unit: 'KB', values: loads.map((l) => l.gzip / KB) },
    { what: 'JS decoded', unit: 'KB', values: loads.map((l) => l.decoded / KB) },
    { what: 'JS requests', unit: '', values: loads.map((l) => l.requests) },
    { what: 'JS requests sent uncompressed', unit: '', values: loads.map((l) => l.uncompressed) },
    { what: 'cold load to main content', target: spec.loadMs, unit: 'ms', values: loads.map((l) => l.ms) },
    { what: '  main thread CPU till then', unit: 'ms', values: loads.map((l) => l.busyMs) },
    { what: '  of which running script', unit: 'ms', values: loads.map((l) => l.scriptMs) },
  ];
  console.log(`${spec.name} (${spec.hash(server)}; ready: ${spec.ready}; largest script sent as ${loads[0]?.encoding || 'identity'})`);
  console.log(`  ${'measure'.padEnd(32)} ${'target'.padStart(10)} ${'median'.padStart(10)}  ${'min–max'.padEnd(14)} ok`);
  for (const row of rows) {
    const s = stats(row.values);
    const ok = row.target === undefined || s.median <= row.target;
    if (!ok) missed += 1;
    const target = row.target === undefined ? '' : `≤ ${row.target} ${row.unit}`;
    console.log(`  ${row.what.padEnd(32)} ${target.padStart(10)} ${`${s.median.toFixed(0)} ${row.unit}`.padStart(10)}  ${`${s.min.toFixed(0)}–${s.max.toFixed(0)}`.padEnd(14)} ${row.target === undefined ? '' : ok ? 'yes' : 'NO'}`);
  }
  for (const [what, allowed, counts] of [['editor~ chunks loaded', spec.editor, loads.map((l) => l.editor)], ['chart~ chunks loaded', spec.chart, loads.map((l) => l.chart)]] as const) {
    const most = Math.max(...counts);
    const ok = !named || allowed || most === 0;
    if (!ok) missed += 1;
    console.log(`  ${what.padEnd(32)} ${(allowed ? 'any' : '0').padStart(10)} ${(named ? String(most) : 'n/a').padStart(10)}  ${''.padEnd(14)} ${named && !allowed ? (ok ? 'yes' : 'NO') : ''}`);
  }
  if (args.files) for (const [file, bytes] of loads[0]?.files ?? []) console.log(`    ${file.padEnd(40)} ${(bytes / KB).toFixed(1).padStart(8)} KB`);
  console.log('');
  const g = stats(loads.map((l) => l.gzip / KB)).median;
  const d = stats(loads.map((l) => l.decoded / KB)).median;
  const busy = stats(loads.map((l) => l.busyMs)).median;
  summary.push(`| ${spec.name} | ${g.toFixed(0)} KB${spec.gzipKb ? ` (≤ ${spec.gzipKb})` : ''} | ${d.toFixed(0)} KB | ${stats(loads.map((l) => l.requests)).median} | ${stats(loads.map((l) => l.ms)).median.toFixed(0)} ms${spec.loadMs ? ` (≤ ${spec.loadMs})` : ''} | ${busy.toFixed(0)} ms |`);
}
console.log('| page | JS transferred | JS decoded | JS requests | cold load | main thread CPU |\n|---|---|---|---|---|---|');
console.log(summary.join('\n'));
process.exitCode = missed > 0 ? 1 : 0;
