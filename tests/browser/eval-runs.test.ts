/**
 * Evaluation runs on the 评测集 page (issue 14 part 3): run a set on the draft and on version 1, watch
 * both complete with their headline metrics (the simulator answering, which the runs say), open a run's
 * cases with their traces, and compare the two runs side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { adminJson, launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';
let setId = '';

const json = <T>(method: string, url: string, body?: unknown) => adminJson<T>(server, method, url, body);

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  scenarioId = (await json<{ id: string }>('POST', '/api/templates/complaint-risk/use', { name: '投诉预警 评测运行' })).id;
  setId = (await json<{ id: string }>('POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: '三条', description: '' })).id;
  await json('POST', `/api/eval-sets/${setId}/cases`, {
    cases: [
      { id: 'q1', inputs: { transcript: '坐席：您好\n客户：我要投诉到工信部！' }, expected: { warn: true } },
      { id: 'q2', inputs: { transcript: '坐席：您好\n客户：谢谢，已经好了' }, expected: { warn: false } },
      { id: 'q3', inputs: { transcript: '坐席：您好\n客户：查一下话费' }, expected: { warn: false } },
    ],
  });
  await json('POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'complaint-runs', note: 'v1' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('evaluation runs on the evaluation sets page', () => {
  it('runs the set on the draft and on version 1, then compares the two', async () => {
    await page.goto(`${server.url}/#/scenarios/${scenarioId}/eval/${setId}`);
    await page.getByTestId('eval-runs').waitFor();
    await page.getByTestId('eval-run-start').click();
    await page.getByTestId('eval-run-status-completed').first().waitFor({ timeout: 30_000 });

    await page.getByTestId('eval-run-target').click();
    await page.locator('.ant-select-item-option').filter({ hasText: 'v1' }).click();
    await page.getByTestId('eval-run-start').click();
    await expect.poll(() => page.getByTestId('eval-run-status-completed').count(), { timeout: 30_000 }).toBe(2);
    const names = await page.getByTestId('eval-run-name').allTextContents();
    expect(names.map((n) => n.replace(/模拟.*$/, '').trim())).toEqual(['版本 v1', '草稿（当前）']);
    // The simulator answered: every run says its numbers mean nothing.
    expect(await page.getByTestId('eval-run-simulated-tag').count()).toBe(2);
    expect(await page.getByTestId('eval-run-headline').first().textContent()).toMatch(/^warn\.\w+ = /);

    // A run's cases: each right or wrong, each with its trace.
    await page.locator('[data-testid=eval-runs] tbody tr[data-row-key]').first().locator('td').nth(2).click();
    await page.getByTestId('eval-run-cases').waitFor();
    await expect.poll(() => page.locator('[data-testid=eval-run-cases] tbody tr[data-row-key]').count()).toBe(3);
    expect(await page.getByTestId('eval-run-trace').count()).toBe(3);
    // A trace opens in the app, node by node, as the runs log shows it (not the API's raw JSON).
    expect(await page.getByTestId('eval-run-trace').first().getAttribute('href')).toBeNull();
    await page.getByTestId('eval-run-trace').first().click();
    await page.getByTestId('run-trace').waitFor();
    expect(await page.getByTestId('run-trace').textContent()).toContain('成功');
    expect(page.url()).toContain(`#/scenarios/${scenarioId}/eval/${setId}`);
    await page.screenshot({ path: screenshotPath('eval-run-trace-zh.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('run-trace').waitFor({ state: 'hidden' });
    await page.keyboard.press('Escape');
    await page.getByTestId('eval-run-cases').waitFor({ state: 'hidden' });

    // Both ticked, compared.
    const boxes = page.locator('[data-testid=eval-runs] tbody .ant-checkbox-input');
    await boxes.nth(1).check();
    await boxes.nth(0).check();
    await page.getByTestId('eval-run-compare').click();
    await page.getByTestId('eval-compare-deltas').waitFor();
    expect(await page.locator('[data-testid=eval-compare-deltas] tbody tr').filter({ hasText: 'warn.accuracy' }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('screenshot-eval-runs.png') });
  });
});
