import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';

beforeAll(async () => {
  // A simulator that sends reasoning apart from the answer, as a reasoning model behind vLLM's parser does.
  server = await startTestServer(undefined, { MOFANG_SIM_REASONING: '1' });
  browser = await launchBrowser(server);
  page = browser.page;
  // The product's own pitch, with the form outputs left required: what a new user draws first.
  const pitch = JSON.parse(readFileSync(fileURLToPath(new URL('../../server/src/engine/fixtures/branchy/pitch.json', import.meta.url)), 'utf8'));
  for (const output of pitch.nodes.find((n: { id: string }) => n.id === 'end').config.outputs) output.required = true;
  const res = await fetch(`${server.url}/api/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.authHeaders }, body: JSON.stringify({ name: '宽带报修分流', graph: pitch }) });
  scenarioId = (await res.json()).id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('branches and replies, as a team lead meets them', () => {
  it('says, in Chinese, which outputs may have no value on which branch, and where', async () => {
    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.getByTestId('node-extract_1').waitFor();
    const problems = page.getByTestId('problem');
    await expect.poll(() => problems.count(), { timeout: 15_000 }).toBe(2);
    const text = (await page.getByTestId('problems').textContent()) ?? '';
    expect(text).toContain('输出“form”为必填');
    expect(text).toContain('节点 报修填单 (extract_1) 不会执行');
    expect(text).toContain('来电意图 (classify_1) → 话费查询 / 投诉 / 其他');
    await expect.poll(() => page.getByTestId('node-end').getAttribute('data-problems')).toBe('2');
  });

  it('clicking the problem opens the end node; unticking 必填 on the two form outputs clears them', async () => {
    await page.getByTestId('problem').first().click();
    await expect.poll(() => page.locator('.react-flow__node.selected').getAttribute('data-id')).toBe('end');
    const required = page.getByTestId('end-output-required');
    await expect.poll(() => required.count()).toBe(3);
    await required.nth(0).click();
    await required.nth(1).click();
    await expect.poll(() => page.getByTestId('problem').count(), { timeout: 15_000 }).toBe(0);
    await expect(page.getByTestId('problems').textContent()).resolves.toContain('没有问题');
  });

  it('typing a reference key by key keeps the field focused, through the moment it is incomplete', async () => {
    const outputs = page.getByTestId('end-outputs');
    await outputs.getByRole('button', { name: /添加/ }).click();
    const field = outputs.locator('input[role="combobox"]').last();
    await field.click();
    // `{{ c` is an unknown reference for a moment: the field must not be rebuilt under the cursor.
    await page.keyboard.type('{{ classify_1.reason }}', { delay: 40 });
    await page.keyboard.press('Escape');
    await expect(field.inputValue()).resolves.toBe('{{ classify_1.reason }}');
    await page.getByTestId('node-end').waitFor();
    await expect.poll(() => page.getByTestId('problem').count(), { timeout: 15_000 }).toBe(0);
  });

  it('runs, and the classifier’s trace shows the model’s reasoning apart from its answer', async () => {
    await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: 15_000 });
    await page.getByTestId('open-run').click();
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-outputs').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('node-end').getAttribute('data-run')).toBe('succeeded');
    await expect(page.getByTestId('run-outputs').textContent()).resolves.toContain('label');
    // The problem's click zoomed in on the end node: bring the whole graph back into view.
    await page.getByTestId('fit-view').click();
    await page.waitForTimeout(500);
    await page.getByTestId('node-classify_1').locator('.mf-node-head').click();
    const trace = page.getByTestId('node-trace');
    await trace.waitFor();
    await trace.getByTestId('trace-reasoning').waitFor();
    await expect(trace.getByTestId('trace-reasoning').textContent()).resolves.toContain('模拟推理');
    await expect(trace.getByTestId('trace-finish-reason').textContent()).resolves.toBe('正常结束');
    await trace.getByTestId('trace-reasoning').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('screenshot-reasoning.png') });
    expect(browser.errors).toEqual([]);
  });
});
