/**
 * An admin adds a model endpoint in the UI against a mock OpenAI server, tests the connection (a real
 * call: the reply and latency show), sees its health after a run, then picks one of its aliases on a
 * node's model picker, which clears the node's `unknown_model_alias` problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startMockOpenAI, type MockOpenAI } from '../../server/src/model/mock-openai.testing';
import { launchBrowser, pickOption, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let mock: MockOpenAI;

const completion = (content: string, model: string) => ({ id: 'c', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } });

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const graph = (model: string) => ({
  schema: 'mofang.graph/v1',
  name: '通话摘要',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
    { id: 'llm_1', kind: 'llm', version: 1, position: { x: 300, y: 0 }, config: { system: '你是电信客服助手。', user: '总结：{{ start.transcript.text }}', model } },
    { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: [{ name: 'summary', value: '{{ llm_1.text }}' }] } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourcePort: 'out', target: 'llm_1', targetPort: 'in' },
    { id: 'e2', source: 'llm_1', sourcePort: 'out', target: 'end', targetPort: 'in' },
  ],
});

beforeAll(async () => {
  mock = await startMockOpenAI();
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await mock?.close();
});

describe('model endpoints, as an admin and a designer use them', () => {
  it('adds an endpoint in the UI; the key field is write-only', async () => {
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('nav-endpoints').click();
    await page.getByTestId('endpoints-page').waitFor();
    await page.getByText('模拟器（只读）').waitFor();
    await page.getByTestId('endpoint-add').click();
    await page.getByTestId('endpoint-name').fill('qwen-热线');
    await page.getByTestId('endpoint-url').fill(mock.url);
    await page.getByTestId('endpoint-key').fill('sk-hotline-browser-2468');
    await page.getByTestId('endpoint-model-0').fill('qwen2.5-72b-instruct');
    await page.getByTestId('endpoint-add-alias').click();
    await page.getByTestId('endpoint-alias-1').fill('fast');
    await page.getByTestId('endpoint-model-1').fill('qwen2.5-7b-instruct');
    await page.getByTestId('endpoint-save').click();
    await page.getByTestId('endpoint-test-qwen-热线').waitFor();
    const table = page.getByTestId('endpoints-table');
    await expect.poll(() => table.textContent()).toContain('已设置 ···2468');
    expect(await table.textContent()).not.toContain('sk-hotline');
    expect(await table.textContent()).not.toContain('模拟器（只读）');

    await page.getByTestId('endpoint-edit-qwen-热线').click();
    await expect(page.getByTestId('endpoint-key').inputValue()).resolves.toBe('');
    await page.keyboard.press('Escape');
  });

  it('tests the connection: the reply and the latency show', async () => {
    mock.replies = [completion('OK', 'qwen2.5-72b-instruct')];
    await page.getByTestId('endpoint-test-qwen-热线').click();
    const result = page.getByTestId('endpoint-test-result');
    await result.waitFor();
    await expect(result.textContent()).resolves.toMatch(/连接正常：qwen2\.5-72b-instruct 用时 \d+ 毫秒/);
    await expect(result.textContent()).resolves.toContain('OK');
    expect(mock.requests.at(-1)).toMatchObject({ model: 'qwen2.5-72b-instruct' });
  });

  let id = '';
  it('shows the health of the endpoint after a run', async () => {
    const created = await api('POST', '/api/scenarios', { name: '通话摘要', graph: graph('nope') });
    id = (created.json as { id: string }).id;
    mock.replies = [completion('客户报修宽带', 'qwen2.5-72b-instruct')];
    const run = await api('POST', `/api/scenarios/${id}/test-run`, { inputs: { transcript: '客户：宽带断了' }, graph: graph('default') });
    expect(run.json).toMatchObject({ status: 'succeeded' });
    await page.reload();
    await page.getByTestId('health-qwen-热线').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('health-qwen-热线').textContent()).resolves.toContain('错误率 0%（近 1 次）');
    await page.screenshot({ path: screenshotPath('images/model-endpoints.png') });
  });

  it("picks the endpoint's alias on a node: the unknown alias problem goes away", async () => {
    await page.goto(`${server.url}/#/s/${id}`);
    await page.getByTestId('node-llm_1').waitFor();
    await page.getByTestId('problem').filter({ hasText: '没有模型端点提供别名“nope”' }).first().waitFor({ timeout: 10_000 });
    await page.getByTestId('node-llm_1').locator('.mf-node-head').click();
    await page.getByTestId('inspector').waitFor();
    await pickOption(page, 'model-picker', 'fast');
    await pickOption(page, 'fallback-model-picker', 'default');
    await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: 15_000 });
    await expect.poll(async () => page.getByTestId('problem').filter({ hasText: 'nope' }).count(), { timeout: 10_000 }).toBe(0);
    await page.getByTestId('model-picker').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="default"]').waitFor();
    await page.screenshot({ path: screenshotPath('images/model-picker.png') });
    await page.keyboard.press('Escape');
    const saved = await api('GET', `/api/scenarios/${id}`);
    const node = (saved.json as { graph: ReturnType<typeof graph> }).graph.nodes.find((n) => n.id === 'llm_1');
    expect(node?.config).toMatchObject({ model: 'fast', fallbackModel: 'default' });
    expect(browser.errors).toEqual([]);
  });
});
