import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Graph } from '@shared/graph';
import { dragBetween, launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

/**
 * A canvas that protects the work (issue 13, part 4): renaming a class keeps its wire; deleting a
 * referenced node asks first and lists what breaks; a second wire into an input asks any / all; "+" on a
 * wire inserts a node; a dropped node is wired from the selected one; auto-layout keeps every node in view;
 * the side panel keeps its width on every tab; the top navigation marks the current page.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';

async function json<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function selectNode(id: string): Promise<void> {
  await page.getByTestId(`node-${id}`).locator('.mf-node-head').click();
  await page.getByTestId('inspector').waitFor();
}

async function waitSaved(): Promise<void> {
  await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: 15_000 });
}

const edgeCount = () => page.locator('.react-flow__edge').count();
const edge = (id: string) => page.locator(`.react-flow__edge[data-id="${id}"]`);

/** A point on a wire's path (fraction of its length), in page coordinates. */
async function pointOnEdge(id: string, at: number): Promise<{ x: number; y: number }> {
  return edge(id)
    .locator('path.react-flow__edge-path')
    .evaluate((el, f) => {
      const p = el as SVGPathElement;
      const pt = p.getPointAtLength(p.getTotalLength() * f);
      const m = p.getScreenCTM();
      if (!m) throw new Error('no CTM');
      return { x: m.a * pt.x + m.c * pt.y + m.e, y: m.b * pt.x + m.d * pt.y + m.f };
    }, at);
}

/** Every node's box lies inside the canvas's box. */
async function everyNodeInView(): Promise<boolean> {
  return page.evaluate(() => {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
    if (!pane) return false;
    return [...document.querySelectorAll('.react-flow__node')].every((n) => {
      const b = n.getBoundingClientRect();
      return b.left >= pane.left - 1 && b.top >= pane.top - 1 && b.right <= pane.right + 1 && b.bottom <= pane.bottom + 1;
    });
  });
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  const graph: Graph = JSON.parse(readFileSync(path.join(root, 'templates/intent-triage/graph.json'), 'utf8'));
  scenarioId = (await json<{ id: string }>('POST', '/api/scenarios', { name: '意图分流', graph })).id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a canvas that protects the work', () => {
  it('the top navigation marks the current page', async () => {
    await page.goto(`${server.url}/#/jobs`);
    await page.getByTestId('nav-jobs').waitFor();
    await expect.poll(() => page.getByTestId('nav-jobs').getAttribute('aria-current')).toBe('page');
    expect(await page.getByTestId('nav-list').getAttribute('aria-current')).toBeNull();
    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.getByTestId('node-classify_1').waitFor();
    // A scenario's canvas belongs to the scenario list.
    await expect.poll(() => page.getByTestId('nav-list').getAttribute('aria-current')).toBe('page');
    expect(await page.getByTestId('nav-jobs').getAttribute('aria-current')).toBeNull();
    const [current, other] = await Promise.all(['nav-list', 'nav-jobs'].map((id) => page.getByTestId(id).evaluate((el) => getComputedStyle(el).borderBottomColor)));
    expect(current).not.toBe(other);
  });

  it('renaming a class, even clearing its name first, keeps its wire; a new class gets a generated id', async () => {
    await selectNode('classify_1');
    const name = page.getByTestId('class-name').first();
    await name.fill('');
    await name.pressSequentially('宽带故障');
    await page.getByTestId('node-classify_1').getByText('宽带故障').waitFor();
    expect(await page.getByTestId('class-id').count()).toBe(2);
    await page.getByTestId('class-list').getByRole('button', { name: /添加/ }).click();
    await expect.poll(async () => (await page.getByTestId('class-id').last().textContent()) ?? '').toMatch(/c_[0-9a-z]{6}/);
    await waitSaved();
    const saved = await json<{ graph: Graph }>('GET', `/api/scenarios/${scenarioId}`);
    expect(saved.graph.edges).toContainEqual(expect.objectContaining({ source: 'classify_1', sourcePort: 'fault', target: 'extract_1' }));
    const classes = saved.graph.nodes.find((n) => n.id === 'classify_1')?.config.classes as Array<{ id: string; name: string }>;
    expect(classes[0]).toMatchObject({ id: 'fault', name: '宽带故障' });
    expect(classes[2].id).toMatch(/^c_[0-9a-z]{6}$/);
    await page.screenshot({ path: screenshotPath('canvas-class-ids.png') });
    // The new class is taken out again, so the graph compiles.
    await page.getByTestId('class-list').getByRole('button', { name: /删除|移除/ }).last().click();
  });

  it('deleting a referenced node asks first, listing the wires and templates it breaks; undo restores it', async () => {
    const before = await edgeCount();
    await selectNode('extract_1');
    await page.keyboard.press('Delete');
    const confirm = page.getByTestId('delete-confirm');
    await confirm.waitFor();
    await expect.poll(() => confirm.getByTestId('delete-wires').locator('li').count()).toBe(2);
    expect(await confirm.getByTestId('delete-wires').textContent()).toContain('来电意图');
    expect(await confirm.getByTestId('delete-refs').textContent()).toContain('extract_1');
    await page.screenshot({ path: screenshotPath('canvas-delete-confirm.png') });
    await page.locator('.ant-modal-confirm').getByRole('button', { name: /取\s*消/ }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await page.getByTestId('node-extract_1').count()).toBe(1);
    expect(await edgeCount()).toBe(before);

    await page.getByTestId('delete').click();
    await page.getByTestId('delete-ok').click();
    await page.getByTestId('node-extract_1').waitFor({ state: 'detached' });
    expect(await edgeCount()).toBe(before - 2);
    await page.getByTestId('undo').click();
    await page.getByTestId('node-extract_1').waitFor();
    expect(await edgeCount()).toBe(before);
  });

  it('a second wire into an input asks any or all, records the choice, and is drawn above the nodes', async () => {
    const before = await edgeCount();
    await dragBetween(page, '[data-testid="out-start-out"]', '[data-testid="in-merge_1-in"]');
    const dialog = page.getByTestId('join-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('合并结果');
    await page.waitForTimeout(400); // the modal's opening animation
    await page.screenshot({ path: screenshotPath('canvas-join-dialog.png') });
    expect(await edgeCount()).toBe(before);
    await page.getByTestId('join-all').click();
    await page.getByTestId('join-ok').click();
    await expect.poll(edgeCount).toBe(before + 1);
    await expect.poll(() => page.getByTestId('join-merge_1').getAttribute('data-join')).toBe('all');
    // Wherever the new wire crosses, it is the wire that is on top.
    for (const at of [0.3, 0.45, 0.6, 0.75]) {
      const p = await pointOnEdge('e_start_out__merge_1_in', at);
      const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('.react-flow__edge, .react-flow__node')?.getAttribute('data-id') ?? '', p);
      expect([hit, at]).toEqual(['e_start_out__merge_1_in', at]);
    }
    // The badge switches it back to any; undo takes the wire away.
    await page.getByTestId('join-merge_1').click();
    await expect.poll(() => page.getByTestId('join-merge_1').getAttribute('data-join')).toBe('any');
    await page.getByTestId('undo').click();
    await page.getByTestId('undo').click();
    await expect.poll(edgeCount).toBe(before);
  });

  it('the inspector shows 汇合方式 for a node with two wires in and changes it; a node with one wire in has none', async () => {
    await selectNode('merge_1');
    const field = page.getByTestId('join-field');
    await field.waitFor();
    expect(await field.textContent()).toContain('汇合方式');
    expect(await field.textContent()).toContain('任一分支到达即执行');
    // antd puts the test id on the radio's input.
    expect(await page.getByTestId('join-choice-any').isChecked()).toBe(true);
    await page.getByTestId('join-choice-all').click({ force: true });
    await expect.poll(() => page.getByTestId('join-merge_1').getAttribute('data-join')).toBe('all');
    await waitSaved();
    const saved = await json<{ graph: Graph }>('GET', `/api/scenarios/${scenarioId}`);
    expect(saved.graph.nodes.find((n) => n.id === 'merge_1')?.join).toBe('all');
    // The badge and the inspector are one choice: switching on the badge shows in the panel.
    await page.getByTestId('join-merge_1').click();
    await expect.poll(() => page.getByTestId('join-choice-any').isChecked()).toBe(true);
    // Move off the badge so its tooltip closes before clicking another node.
    await page.mouse.move(5, 5);
    await page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
    await selectNode('extract_1');
    expect(await page.getByTestId('join-field').count()).toBe(0);
  });

  it('"+" on a wire inserts a node in its middle', async () => {
    const before = await edgeCount();
    const mid = await pointOnEdge('e1', 0.5);
    await page.mouse.move(mid.x - 20, mid.y);
    await page.mouse.move(mid.x, mid.y, { steps: 3 });
    await page.getByTestId('insert-on-e1').click();
    await page.getByTestId('insert-menu').waitFor();
    await page.getByTestId('insert-llm').click();
    await page.getByTestId('node-llm_1').waitFor();
    await expect.poll(edgeCount).toBe(before + 1);
    await edge('e_start_out__llm_1_in').waitFor();
    await edge('e_llm_1_out__classify_1_in').waitFor();
    expect(await edge('e1').count()).toBe(0);
  });

  it('a node dropped while one is selected is wired from it', async () => {
    await selectNode('llm_1');
    await page.getByTestId('palette-template').dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 200, y: 80 } });
    await page.getByTestId('node-template_1').waitFor();
    await edge('e_llm_1_out__template_1_in').waitFor();
  });

  it('auto-layout keeps every node in view', async () => {
    // Scroll the view away first: layout must bring everything back.
    await page.locator('.react-flow__pane').hover();
    await page.mouse.wheel(0, -600);
    await page.getByTestId('layout').click();
    await expect.poll(everyNodeInView, { timeout: 5000 }).toBe(true);
    await page.waitForTimeout(500);
    expect(await everyNodeInView()).toBe(true);
    await page.screenshot({ path: screenshotPath('canvas-layout.png') });
  });

  it('the side panel keeps its width on every tab, and so does the toolbar', async () => {
    const tabs = page.locator('.mf-side .ant-tabs-tab');
    const widths: Array<[number, number]> = [];
    for (let i = 0; i < (await tabs.count()); i++) {
      await tabs.nth(i).click();
      await page.waitForTimeout(400);
      const side = await page.getByTestId('side-panel').boundingBox();
      const bar = await page.locator('.mf-toolbar').boundingBox();
      widths.push([Math.round(side?.width ?? 0), Math.round(bar?.width ?? 0)]);
    }
    expect(widths.length).toBe(5);
    expect(new Set(widths.map((w) => w.join('x'))).size).toBe(1);
    // On a 1280-pixel screen, on the API tab, every toolbar button still fits in the toolbar.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('tab-api').click();
    await page.waitForTimeout(400);
    const bar = await page.locator('.mf-toolbar').boundingBox();
    const run = await page.getByTestId('open-run').boundingBox();
    expect((run?.x ?? 0) + (run?.width ?? 0)).toBeLessThanOrEqual((bar?.x ?? 0) + (bar?.width ?? 0));
    await page.screenshot({ path: screenshotPath('canvas-api-tab-1280.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
    await tabs.nth(0).click();
  });

  it('the audit items fit the panel in Chinese and in English', async () => {
    for (const lang of ['zh', 'en']) {
      if (lang === 'en') await page.getByTestId('lang-switch').click();
      await selectNode('audit_1');
      const rows = page.getByTestId('audit-item');
      await rows.first().waitFor();
      // Nothing of a row sticks out of it, and its delete button covers none of it.
      const overlaps = await rows.evaluateAll((els) =>
        els.map((row) => {
          const item = row.parentElement?.parentElement;
          const remove = item?.querySelector(':scope > button')?.getBoundingClientRect();
          const box = row.getBoundingClientRect();
          const parts = [...row.querySelectorAll('input, .ant-segmented, .ant-select, .ant-checkbox-wrapper, .ant-input-number')].map((el) => el.getBoundingClientRect());
          const outside = parts.some((b) => b.right > box.right + 1 || b.left < box.left - 1);
          const covered = remove ? parts.some((b) => b.right > remove.left && b.left < remove.right && b.bottom > remove.top && b.top < remove.bottom) : false;
          return outside || covered;
        }),
      );
      expect(overlaps.every((x) => !x)).toBe(true);
      await page.getByTestId('side-panel').screenshot({ path: screenshotPath(`canvas-audit-items-${lang}.png`) });
    }
    // The delete confirmation in English.
    await page.getByTestId('node-extract_1').locator('.mf-node-head').click();
    await page.keyboard.press('Delete');
    await page.getByTestId('delete-confirm').waitFor();
    expect(await page.locator('.ant-modal-confirm').textContent()).toContain('Wires (2)');
    await page.screenshot({ path: screenshotPath('canvas-delete-confirm-en.png') });
    await page.locator('.ant-modal-confirm').getByRole('button', { name: 'Cancel' }).click();
    expect(browser.errors).toEqual([]);
  });
});
