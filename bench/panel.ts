/**
 * `npm run bench:panel`: how long the side panel takes to show a node after it is clicked, for every node
 * of the largest built-in template (issue 13 part 5: ≤ 100 ms). Builds nothing: run `npx vite build`
 * first. Starts the server (simulator, a fresh data directory, the first admin), makes a scenario from the
 * template with the most nodes, opens it in Debian's Chromium (playwright-core) and, per node and round,
 * clicks the node with the mouse and times, in the page's clock, from the click's pointerdown to the first
 * frame painted after the inspector shows that node (the node id in its title). Prints per node the median
 * and the worst of BENCH_RUNS rounds (default 5; `--runs N`) with the 100 ms target beside them, and exits
 * 1 when a median misses it. With `--cpu`, a further set of rounds is traced (Chrome's timeline, which
 * slows the page a little, so it is not timed) and the table gains the page's main-thread CPU time in the
 * same span: on a machine shared with other work, wall time waits for the CPU and this does not.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { startSignedInServer } from './pages-server.js';

const TARGET_MS = 100;
const { values: args } = parseArgs({ options: { runs: { type: 'string' }, cpu: { type: 'boolean' } } });
const runs = Math.max(1, Number(args.runs ?? process.env.BENCH_RUNS ?? 5));
const root = fileURLToPath(new URL('..', import.meta.url));

/** The built-in template with the most nodes (ties: the larger graph file). */
function largestTemplate(): { id: string; nodes: string[] } {
  const dir = path.join(root, 'templates');
  const all = readdirSync(dir)
    .filter((id) => existsSync(path.join(dir, id, 'graph.json')))
    .map((id) => {
      const text = readFileSync(path.join(dir, id, 'graph.json'), 'utf8');
      const graph = JSON.parse(text) as { nodes: Array<{ id: string }> };
      return { id, nodes: graph.nodes.map((n) => n.id), size: text.length };
    });
  all.sort((a, b) => b.nodes.length - a.nodes.length || b.size - a.size);
  return all[0];
}

/** Clicks the node and resolves the ms from its pointerdown to the first frame after the inspector shows it. */
async function timeSelection(page: Page, nodeId: string): Promise<number> {
  // As text: tsx's compiled functions call a helper (`__name`) that the page does not have.
  await page.evaluate(`(() => {
    const id = ${JSON.stringify(nodeId)};
    window.__panel = new Promise((resolve) => {
      let t0 = 0;
      const shown = () => document.querySelector('[data-testid=inspector] h5 .ant-tag')?.textContent === id;
      const poll = () => (shown() ? requestAnimationFrame(() => { performance.mark('mf-panel-shown'); resolve(performance.now() - t0); }) : requestAnimationFrame(poll));
      window.addEventListener('pointerdown', (e) => { t0 = e.timeStamp; performance.mark('mf-panel-click'); poll(); }, { capture: true, once: true });
    });
  })()`);
  const box = await page.getByTestId(`node-${nodeId}`).boundingBox();
  if (!box) throw new Error(`node ${nodeId} is not on screen`);
  await page.mouse.click(box.x + box.width / 2, box.y + Math.min(12, box.height / 2));
  return page.evaluate<number>('window.__panel');
}

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; tdur?: number; pid: number; tid: number; args?: { name?: string } }

/**
 * Main-thread CPU ms of the page from each click's pointerdown to its panel's frame, per selection in
 * order: the thread time of the top-level trace events in that span.
 */
async function cpuPerSelection(cdp: CDPSession, select: () => Promise<void>): Promise<number[]> {
  const events: TraceEvent[] = [];
  // Chrome's trace event format; the protocol types its events as string maps.
  cdp.on('Tracing.dataCollected', (d) => void events.push(...(d.value as unknown[] as TraceEvent[])));
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,blink.user_timing', transferMode: 'ReportEvents' });
  await select();
  await cdp.send('Tracing.end');
  await complete;
  const starts = events.filter((e) => e.name === 'mf-panel-click').map((e) => e.ts).sort((a, b) => a - b);
  const ends = events.filter((e) => e.name === 'mf-panel-shown').map((e) => e.ts).sort((a, b) => a - b);
  const mark = events.find((e) => e.name === 'mf-panel-click');
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === mark?.pid && e.args?.name === 'CrRendererMain');
  const tasks = events.filter((e) => e.ph === 'X' && e.pid === main?.pid && e.tid === main?.tid).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  return starts.map((start, i) => {
    let cpu = 0;
    let topEnd = 0;
    for (const e of tasks) {
      if (e.ts < start || e.ts > ends[i] || e.ts < topEnd) continue;
      topEnd = e.ts + (e.dur ?? 0);
      cpu += (e.tdur ?? e.dur ?? 0) / 1000;
    }
    return cpu;
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const template = largestTemplate();
  const server = await startSignedInServer(root, 'panel');
  const profile = mkdtempSync(path.join(tmpdir(), 'mofang-bench-panel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
  });
  try {
    const res = await fetch(`${server.url}/api/templates/${template.id}/use`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: server.cookie, 'x-csrf-token': server.csrf }, body: JSON.stringify({ name: 'bench panel' }) });
    if (!res.ok) throw new Error(`POST /api/templates/${template.id}/use answered ${res.status}`);
    const { id } = (await res.json()) as { id: string };
    await context.addCookies([{ name: 'mofang_session', value: server.cookie.slice('mofang_session='.length), url: server.url }]);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.url}/#/s/${id}`);
    await page.getByTestId(`node-${template.nodes[0]}`).waitFor();
    await page.waitForTimeout(500);
    // One warm-up pass: the first selection of each kind loads its panel's code.
    for (const nodeId of template.nodes) await timeSelection(page, nodeId);
    // Round by round over all nodes, so every click selects another node than the one shown.
    const times = new Map<string, number[]>(template.nodes.map((n) => [n, []]));
    for (let i = 0; i < runs; i++) for (const nodeId of template.nodes) times.get(nodeId)?.push(await timeSelection(page, nodeId));
    const cpu = new Map<string, number[]>(template.nodes.map((n) => [n, []]));
    if (args.cpu) {
      const cdp = await context.newCDPSession(page);
      const order = Array.from({ length: runs }, () => template.nodes).flat();
      const spent = await cpuPerSelection(cdp, async () => {
        for (const nodeId of order) await timeSelection(page, nodeId);
      });
      order.forEach((nodeId, i) => cpu.get(nodeId)?.push(spent[i]));
    }
    const rows = template.nodes.map((node) => {
      const sorted = [...(times.get(node) ?? [])].sort((a, b) => a - b);
      return { node, median: median(sorted), worst: sorted[sorted.length - 1], cpu: args.cpu ? median(cpu.get(node) ?? []) : undefined };
    });
    console.log(`selection → panel rendered, template "${template.id}" (${template.nodes.length} nodes), ${runs} rounds each, target ≤ ${TARGET_MS} ms`);
    const cpuHead = args.cpu ? ` ${'cpu ms'.padStart(8)}` : '';
    console.log(`${'node'.padEnd(16)} ${'median ms'.padStart(10)} ${'worst ms'.padStart(10)}${cpuHead} ${'target'.padStart(8)}  ok`);
    for (const r of rows) {
      const cpuCell = r.cpu === undefined ? '' : ` ${r.cpu.toFixed(1).padStart(8)}`;
      console.log(`${r.node.padEnd(16)} ${r.median.toFixed(1).padStart(10)} ${r.worst.toFixed(1).padStart(10)}${cpuCell} ${`≤ ${TARGET_MS}`.padStart(8)}  ${r.median <= TARGET_MS ? 'yes' : 'NO'}`);
    }
    if (args.cpu) console.log('cpu ms: median main-thread CPU time of the page in the same span, from a further traced set of rounds');
    if (rows.some((r) => r.median > TARGET_MS)) process.exitCode = 1;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await server.stop();
  }
}

await main();
