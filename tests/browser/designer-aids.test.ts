/**
 * The designer's aids in a real Chromium, in the default Chinese UI: the test-run form refuses an empty
 * required input and bad JSON in words a person reads; a simulated run says so; one node runs alone with
 * the last run's inputs (and says when there is none); the audit sheet shows its weight total against a
 * declared full score; the toolbar says the draft differs from the live version and shows the diff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Graph } from '@shared/graph';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';

function triageGraph(): Graph {
  return JSON.parse(readFileSync(path.join(root, 'templates/intent-triage/graph.json'), 'utf8'));
}

async function json<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  scenarioId = (await json<{ id: string }>('POST', '/api/scenarios', { name: '意图分流', graph: triageGraph() })).body.id;
  expect((await json('POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'triage-aids', note: 'v1' })).status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the designer’s aids', () => {
  it('offers the test run when a node is run alone before any run', async () => {
    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.getByTestId('node-audit_1').click();
    await page.getByTestId('run-node').click();
    await expect.poll(() => page.getByTestId('run-node-no-run').textContent()).toContain('还没有试运行记录');
    await page.getByRole('button', { name: '去试运行' }).click();
    await page.getByTestId('run-panel').waitFor();
  });

  it('keeps the 试运行 tooltip short', async () => {
    await page.getByTestId('open-run').hover();
    const tip = page.getByRole('tooltip', { name: '打开试运行面板' });
    await tip.waitFor();
    expect((await tip.textContent())?.includes('快捷键')).toBe(false);
  });

  it('marks an empty required input and bad JSON by name, in Chinese, and sends nothing', async () => {
    const box = page.getByTestId('run-input-transcript');
    await box.fill('');
    await page.getByTestId('run-button').click();
    await expect.poll(() => page.getByTestId('run-input-error').textContent()).toContain('“transcript”是必填项');
    await box.fill('{"turns": [ {"role": "agent", "text": "您好"} ');
    await page.getByTestId('run-button').click();
    const message = (await page.getByTestId('run-input-error').textContent()) ?? '';
    expect(message).toContain('“transcript”不是有效的 JSON');
    expect(message).not.toMatch(/Unexpected|Expected|position|SyntaxError/);
    expect((await json<unknown[]>('GET', `/api/scenarios/${scenarioId}/runs`)).body).toHaveLength(0);
  });

  it('says the simulator answered the run', async () => {
    await page.getByTestId('run-input-transcript').fill(triageGraph().inputs?.transcript as string);
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-outputs').waitFor();
    await expect.poll(() => page.getByTestId('run-simulated').textContent()).toContain('模拟器回答');
    await page.getByTestId('simulated-tag').first().waitFor();
    await page.getByTestId('history-simulated').first().waitFor();
  });

  it('runs one node alone with the inputs of the last run and shows its result', async () => {
    // Another node first: selecting a node anew brings the node tab forward.
    await page.getByTestId('node-classify_1').click();
    await page.getByTestId('node-audit_1').click();
    await page.getByTestId('run-node').click();
    await page.getByText('节点已单独运行').waitFor();
    await page.getByTestId('node-trace').waitFor();
    await page.getByTestId('trace-simulated').first().waitFor();
    await page.screenshot({ path: screenshotPath('run-node-alone.png') });
  });

  it('shows the weight total against the declared full score, and warns when they differ', async () => {
    await page.getByText('配置', { exact: true }).click();
    await page.getByTestId('audit-weight-total').waitFor();
    expect(await page.getByTestId('audit-weight-total').textContent()).toContain('权重合计：100');
    await page.getByTestId('audit-full-score').fill('105');
    await expect.poll(() => page.getByTestId('audit-weight-mismatch').textContent()).toContain('权重合计 100 与满分 105 不一致');
  });

  it('says the draft differs from the live version, and shows the diff in one click', async () => {
    await expect.poll(() => page.getByTestId('draft-differs').textContent(), { timeout: 15_000 }).toContain('草稿与线上版本 v1 不同');
    await page.getByTestId('draft-differs').click();
    await page.getByTestId('version-diff').waitFor();
    await expect.poll(() => page.getByTestId('version-diff').textContent()).toContain('fullScore');
    await page.screenshot({ path: screenshotPath('draft-differs.png') });
  });
});
