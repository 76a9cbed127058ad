/**
 * The 评测集 page as an inspector-designer would use it (issue 14 parts 1 and 6): open it from the scenario
 * list, see the STC-3 set a complaint-risk scenario comes with and the simulator note, create a set by
 * uploading a CSV mapped through the preview, correct one case's expected output (revision 2), read
 * revision 1 back unchanged, and add a test run to the set from the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

const files = mkdtempSync(path.join(tmpdir(), 'mofang-eval-files-'));
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';

async function json<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  scenarioId = (await json<{ id: string }>('POST', '/api/templates/complaint-risk/use', { name: '投诉预警' })).id;
  // A team lead's own sheet: their column names, one of them not a field of the scenario.
  const csv = '编号,通话内容,是否预警,备注\r\nq1,"坐席：您好\n客户：我要投诉到工信部！",true,急\r\nq2,"坐席：您好\n客户：谢谢，已经好了",false,\r\n';
  writeFileSync(path.join(files, '标注.csv'), csv);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(files, { recursive: true, force: true });
});

describe('the evaluation sets page', () => {
  it('opens from the scenario list with the shipped STC-3 set and says the simulator scores mean nothing', async () => {
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('scenario-eval').first().click();
    await page.getByTestId('eval-page').waitFor();
    await page.getByTestId('eval-simulator-note').waitFor();
    const row = page.locator('[data-testid=eval-sets] tbody tr[data-row-key]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.first().textContent()).toContain('200');
  });

  it('creates a set by uploading a CSV mapped through the preview, edits a case (revision 2) and keeps revision 1', async () => {
    await page.getByTestId('eval-new-name').fill('班长标注');
    await page.getByTestId('eval-create').click();
    await page.getByTestId('eval-set-view').waitFor();
    await expect.poll(async () => page.getByTestId('eval-set-revision').textContent()).toContain('r0');
    await page.locator('[data-testid=eval-upload] input[type=file]').setInputFiles(path.join(files, '标注.csv'));
    await page.getByTestId('job-mapping').waitFor();
    // Matched by hand: 编号 → id, 通话内容 → inputs.transcript, 是否预警 → expected.warn.
    for (const [target, column] of [['id', '编号'], ['inputs.transcript', '通话内容'], ['expected.warn', '是否预警']] as const) {
      await page.getByTestId(`job-map-${target}`).click();
      await page.locator(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="${column}"]`).last().click();
      await expect.poll(async () => (await page.getByTestId(`job-map-${target}`).textContent()) ?? '').toContain(column);
    }
    await page.getByTestId('eval-upload-send').click();
    await expect.poll(async () => page.getByTestId('eval-set-revision').textContent()).toContain('r1');
    await expect.poll(async () => page.getByTestId('eval-expected-q1').textContent()).toContain('warn = true');

    await page.getByTestId('eval-edit-q2').click();
    await page.getByTestId('eval-edit-field-warn').fill('true');
    await page.getByTestId('eval-edit-field-risk_level').fill('"medium"');
    await page.getByTestId('eval-edit-save').click();
    await expect.poll(async () => page.getByTestId('eval-set-revision').textContent()).toContain('r2');
    await expect.poll(async () => page.getByTestId('eval-expected-q2').textContent()).toContain('risk_level = medium');
    await expect.poll(() => page.locator('[data-testid=eval-history] tbody tr[data-row-key]').count()).toBe(2);
    await page.waitForTimeout(800);
    await page.screenshot({ path: screenshotPath('screenshot-eval-sets.png') });

    // Revision 1 reads back as it was.
    await page.locator('[data-testid=eval-history] tbody tr[data-row-key="1"] button').click();
    await expect.poll(async () => page.getByTestId('eval-set-revision').textContent()).toContain('r1');
    expect(await page.getByTestId('eval-expected-q2').textContent()).toContain('warn = false');
    expect(await page.getByTestId('eval-edit-q2').count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });
});
