import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/index';
import { launchBrowser, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;

/** start → 298 template nodes in a 20-wide grid (each wired to the one before) → end. */
function bigGraph(): Graph {
  const nodes: Graph['nodes'] = [{ id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true, description: '' }] } }];
  const edges: Graph['edges'] = [];
  let prev = 'start';
  for (let i = 1; i <= 298; i++) {
    const id = `template_${i}`;
    nodes.push({ id, kind: 'template', version: 1, position: { x: (i % 20) * 260, y: Math.floor(i / 20) * 140 }, config: { template: `第 ${i} 步 {{ start.transcript.text }}` } });
    edges.push({ id: `e${i}`, source: prev, sourcePort: 'out', target: id, targetPort: 'in' });
    prev = id;
  }
  nodes.push({ id: 'end', kind: 'end', version: 1, position: { x: 0, y: 16 * 140 }, config: { outputs: [] } });
  edges.push({ id: 'e_end', source: prev, sourcePort: 'out', target: 'end', targetPort: 'in' });
  return { schema: GRAPH_FORMAT, name: '300 节点', nodes, edges };
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a 300-node graph', () => {
  it('opens, drags a node and pans', async () => {
    const res = await fetch(`${server.url}/api/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.authHeaders }, body: JSON.stringify({ name: '300 节点', graph: bigGraph() }) });
    expect(res.status).toBeLessThan(300);
    const { id } = await res.json();
    const { page } = browser;
    await page.goto(`${server.url}/#/s/${id}`);
    await page.getByTestId('node-template_150').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(300);

    const box = await page.getByTestId('node-template_150').locator('.mf-node-head').boundingBox();
    if (!box) throw new Error('node not visible');
    // Select it first: the config panel opening is not part of the drag.
    await page.mouse.click(box.x + 20, box.y + 8);
    await page.getByTestId('inspector').waitFor();
    await page.waitForTimeout(500);
    const transform = () => page.locator('.react-flow__viewport').getAttribute('style');
    const viewportBefore = await transform();
    const steps = 40;
    const t0 = Date.now();
    await page.mouse.move(box.x + 20, box.y + 8);
    await page.mouse.down();
    for (let i = 1; i <= steps; i++) await page.mouse.move(box.x + 20 + i * 5, box.y + 8 + i * 3);
    await page.mouse.up();
    const dragMs = Date.now() - t0;

    // Pan from a spot of bare pane (not a node, a wire, the controls or the minimap).
    const from = await page.evaluate(() => {
      const pane = document.querySelector('.react-flow__pane')?.getBoundingClientRect();
      if (!pane) return null;
      for (let y = pane.top + 40; y < pane.bottom - 40; y += 17) {
        for (let x = pane.left + 40; x < pane.right - 300; x += 23) {
          if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x, y };
        }
      }
      return null;
    });
    if (!from) throw new Error('no bare pane to pan from');
    const t1 = Date.now();
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= steps; i++) await page.mouse.move(from.x + i * 6, from.y + i * 4);
    await page.mouse.up();
    const panMs = Date.now() - t1;
    // Timings are printed, not asserted: on a busy 2-core machine each move's round trip to software-rendered
    // Chromium varies several-fold (speed targets live in benchmarks).
    console.log(`300 nodes: drag ${steps} moves in ${dragMs} ms, pan ${steps} moves in ${panMs} ms`);
    // The node followed the mouse (200 × 120 px at zoom ≤ 1 moves it by at least that much in the graph) and is saved there.
    await expect.poll(async () => {
      const after = await page.getByTestId('node-template_150').locator('.mf-node-head').boundingBox();
      return after ? Math.round(after.x - box.x) : 0;
    }).not.toBe(0);
    await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: 15_000 });
    const saved = (await (await fetch(`${server.url}/api/scenarios/${id}`, { headers: server.authHeaders })).json()) as Graph & { graph: Graph };
    const moved = saved.graph.nodes.find((n) => n.id === 'template_150');
    expect(moved?.position.x).toBeGreaterThan((150 % 20) * 260 + 100);
    // The pane panned: the viewport's transform changed.
    expect(await transform()).not.toBe(viewportBefore);
  });
});
