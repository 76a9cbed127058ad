import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;
let page: Page;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** A scenario saved before http bodies were built: the body one template string, the query in the URL. */
const oldGraph = {
  schema: 'mofang.graph/v1',
  name: '工单回写',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'phone', type: 'string' }] } },
    {
      id: 'http_1',
      kind: 'http',
      version: 1,
      position: { x: 260, y: 0 },
      config: { method: 'POST', url: 'https://crm.example.com/orders?src=ivr', body: '{"phone": "{{ start.phone }}", "note": "来电 {{ start.phone }}"}' },
    },
    { id: 'note', kind: 'template', version: 1, position: { x: 520, y: 0 }, config: { template: "{% include 'package.json' %}" } },
    { id: 'end', kind: 'end', version: 1, position: { x: 780, y: 0 }, config: { outputs: [{ name: 'status', value: '{{ http_1.status }}' }] } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourcePort: 'out', target: 'http_1', targetPort: 'in' },
    { id: 'e2', source: 'http_1', sourcePort: 'out', target: 'note', targetPort: 'in' },
    { id: 'e3', source: 'note', sourcePort: 'out', target: 'end', targetPort: 'in' },
  ],
};

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the http panel and template problems, as a designer sees them', () => {
  let id = '';

  it('opens an old scenario: a refused {% include %} is a problem in Chinese, the old body shows as JSON fields', async () => {
    const created = await api('POST', '/api/scenarios', { name: '工单回写', graph: oldGraph });
    expect(created.status).toBe(201);
    id = (created.json as { id: string }).id;
    await page.goto(`${server.url}/#/s/${id}`);
    await page.getByTestId('node-http_1').waitFor();
    await page.getByTestId('problem').filter({ hasText: '不允许使用 {% include %}' }).first().waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('problems').textContent()).resolves.toContain('节点 note 的字段“template”');

    await page.getByTestId('node-http_1').locator('.mf-node-head').click();
    await page.getByTestId('inspector').waitFor();
    await expect(page.getByTestId('http-body-mode').locator('.ant-segmented-item-selected').textContent()).resolves.toBe('JSON');
    const fields = page.getByTestId('http-json-fields');
    await expect(fields.locator('input:not([role="combobox"])').first().inputValue()).resolves.toBe('phone');
    await expect(fields.locator('input[role="combobox"]').last().inputValue()).resolves.toBe('来电 {{ start.phone }}');
    await expect(page.getByTestId('http-query').locator('input:not([role="combobox"])').first().inputValue()).resolves.toBe('src');
    await expect(page.getByTestId('http-url').inputValue()).resolves.toBe('https://crm.example.com/orders');
    await expect(page.getByTestId('inspector').textContent()).resolves.toContain('查询参数');
    await page.getByTestId('inspector').screenshot({ path: screenshotPath('http-panel.png') });
  });

  it('adds a query parameter, switches to a raw XML body, and saves the new shape', async () => {
    const query = page.getByTestId('http-query');
    await query.getByRole('button', { name: /添加/ }).click();
    await query.locator('input:not([role="combobox"])').last().fill('phone');
    await query.locator('input[role="combobox"]').last().fill('{{ start.phone }}');
    await page.keyboard.press('Escape');
    await page.getByTestId('http-body-mode').getByText('原始文本').click();
    const contentType = page.getByTestId('http-content-type').locator('input').first();
    await contentType.fill('application/xml');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: 15_000 });
    const saved = (await api('GET', `/api/scenarios/${id}`)).json as { graph: typeof oldGraph };
    const config = saved.graph.nodes.find((n) => n.id === 'http_1')?.config;
    expect(config).toMatchObject({
      url: 'https://crm.example.com/orders',
      query: [
        { name: 'src', value: 'ivr' },
        { name: 'phone', value: '{{ start.phone }}' },
      ],
      body: { mode: 'raw', text: '', contentType: 'application/xml' },
    });
  });

  it('reads the panel in English', async () => {
    await page.getByTestId('lang-switch').click();
    await expect(page.getByTestId('inspector').textContent()).resolves.toContain('Query parameters');
    await expect(page.getByTestId('http-body-mode').textContent()).resolves.toContain('Raw text');
    await expect(page.getByTestId('problems').textContent()).resolves.toContain('{% include %} is not allowed');
    await page.getByTestId('lang-switch').click();
    expect(browser.errors).toEqual([]);
  });
});
