import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The node ids of a template's graph, from the API the gallery itself uses. */
async function templateNodeIds(id: string): Promise<string[]> {
  const res = await fetch(`${server.url}/api/templates/${id}/versions/1.0.0`, { headers: server.authHeaders });
  const body: { graph: { nodes: Array<{ id: string }> } } = await res.json();
  return body.graph.nodes.map((n) => n.id);
}

describe('the template gallery, as a quality inspector uses it', () => {
  it('opens the gallery from the header: templates grouped by category with previews', async () => {
    await page.goto(server.url);
    await page.getByTestId('nav-gallery').click();
    await page.getByTestId('gallery-title').waitFor();
    await expect(page.getByTestId('gallery-title').textContent()).resolves.toBe('模板库');
    const card = page.getByTestId('template-card-call-quality-audit');
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('通话质检');
    await expect(page.getByTestId('category-quality').textContent()).resolves.toContain('质量检测');
    // Every card draws its graph read-only.
    await expect.poll(() => card.locator('[data-preview-node]').count()).toBeGreaterThan(2);
    await expect.poll(() => card.locator('[data-preview-edge]').count()).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('screenshot-gallery.png') });
  });

  it('switches the language once: the gallery speaks English, then Chinese again', async () => {
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('gallery-title').textContent()).toBe('Template gallery');
    await expect(page.getByTestId('template-card-call-quality-audit').textContent()).resolves.toContain('Call quality audit');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('gallery-title').textContent()).toBe('模板库');
  });

  it('picks 通话质检, reads its history, uses it, and lands in the editor with its nodes', async () => {
    await page.getByTestId('template-card-call-quality-audit').click();
    const drawer = page.getByTestId('template-drawer');
    await drawer.waitFor();
    await expect(drawer.textContent()).resolves.toContain('v1.0.0');
    await expect.poll(() => page.getByTestId('drawer-preview').locator('[data-preview-node]').count()).toBeGreaterThan(2);
    // A scenario already named 通话质检: using the template asks a name, prefilled with the next free one.
    const taken = await fetch(`${server.url}/api/templates/call-quality-audit/use`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.authHeaders }, body: '{"name":"通话质检"}' });
    expect(taken.status).toBe(201);
    await page.getByTestId('use-template').click();
    const name = page.getByTestId('use-template-name');
    await expect.poll(() => name.inputValue()).toBe('通话质检 2');
    await name.fill('我的通话质检');
    await page.getByTestId('use-template-ok').click();
    await page.waitForURL(/#\/s\//);
    const list: { scenarios?: Array<{ name: string }> } | Array<{ name: string }> = await (await fetch(`${server.url}/api/scenarios`, { headers: server.authHeaders })).json();
    const names = (Array.isArray(list) ? list : (list.scenarios ?? [])).map((s) => s.name);
    expect(names.sort()).toEqual(['我的通话质检', '通话质检']);
    const ids = await templateNodeIds('call-quality-audit');
    for (const id of ids) await page.getByTestId(`node-${id}`).waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(ids.length);
    expect(browser.errors).toEqual([]);
  });

  it('the scenario list shows where the draft came from', async () => {
    await page.getByTestId('nav-list').click();
    await page.getByTestId('template-origin').first().waitFor();
    await expect(page.getByTestId('template-origin').first().textContent()).resolves.toContain('call-quality-audit');
    await expect(page.getByTestId('template-origin').count()).resolves.toBe(2);
  });
});
