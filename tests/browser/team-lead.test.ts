/**
 * Issue 13's "done when": the quality-inspection team lead's day, walked in Chromium in the default Chinese
 * UI, end to end: a blank canvas becomes classify (three intents) → extract on one branch → end; a template
 * becomes a scenario with an edited audit item, is published, gets a key and is called over the API; a
 * 30-call workbook becomes a job; the UI switches to English. Along the way no English sentence shows in the
 * zh-CN messages (toasts, alerts, problems, dialogs), and every result the simulator answered says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { deleteWire, dropFromPalette, selectNode, waitSaved, wire } from './canvas-kit';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = mkdtempSync(path.join(tmpdir(), 'mofang-team-lead-'));
const SLUG = 'hotline-audit';
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let auditScenarioId = '';
let apiKey = '';

/** Runs of three or more Latin words: an English sentence, not a name, a code or a number. */
function englishSentences(text: string): string[] {
  return text.match(/[A-Za-z][A-Za-z'’-]*(?:[\s,:;.]+[A-Za-z][A-Za-z'’-]*){2,}/g) ?? [];
}

/** The messages a person reads right now (toasts, alerts, dialogs, the problems list): none is English. */
async function expectNoEnglishMessages(where: string): Promise<void> {
  const texts = await page.locator('.ant-message-notice, .ant-alert, .ant-modal-body, [data-testid="problems"], .ant-form-item-explain').allInnerTexts();
  expect({ where, english: texts.flatMap(englishSentences) }).toEqual({ where, english: [] });
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(files, { recursive: true, force: true });
});

describe('the team lead’s day, in Chinese', () => {
  it('draws classify with three intents, extract on one branch, and end, on a blank canvas', async () => {
    await page.goto(server.url);
    await page.getByTestId('create-scenario').click();
    await page.getByTestId('scenario-name-input').fill('来电分流填单');
    await page.getByTestId('scenario-name-input').press('Enter');
    await page.getByTestId('node-end').waitFor();
    // The blank scenario wires start straight to end: take that wire away first.
    await deleteWire(page, 'e_start_end');

    // A node dropped while another is selected comes wired from it.
    await selectNode(page, 'start');
    await dropFromPalette(page, 'classify', 420, 300);
    await page.locator('.react-flow__edge[data-id="e_start_out__classify_1_in"]').waitFor();
    await selectNode(page, 'classify_1');
    await page.getByTestId('class-list').getByRole('button', { name: /添加/ }).click();
    await page.getByTestId('class-name').last().fill('业务咨询');
    // The third intent's id is made for it, never typed.
    await expect.poll(async () => (await page.getByTestId('class-id').last().textContent()) ?? '').toMatch(/c_[0-9a-z]{6}/);
    await dropFromPalette(page, 'extract', 700, 200);
    await page.locator('.react-flow__edge[data-id="e_classify_1_fault__extract_1_in"]').waitFor();
    await page.getByTestId('layout').click();
    await page.waitForTimeout(800);

    await wire(page, 'out-extract_1-out', 'in-end-in', { onAsked: () => expectNoEnglishMessages('the join dialog') });
    const ports = await page.locator('[data-testid^="out-classify_1-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
    expect(ports).toHaveLength(4);
    for (const port of ports.filter((p) => !p.endsWith('-fault'))) await wire(page, port, 'in-end-in', { onAsked: () => expectNoEnglishMessages('the join dialog') });
    await expect.poll(() => page.getByTestId('join-end').getAttribute('data-join')).toBe('any');

    await selectNode(page, 'end');
    const outputs = page.getByTestId('end-outputs');
    await outputs.getByRole('button', { name: /添加/ }).click();
    await outputs.locator('input').first().fill('intent');
    await outputs.locator('.ant-select-selection-search-input, input[role="combobox"]').last().fill('{{ classify_1.label }}');
    await page.keyboard.press('Escape');
    await outputs.getByRole('button', { name: /添加/ }).click();
    await outputs.locator('input:not([role="combobox"]):not([type="checkbox"])').nth(1).fill('form');
    await outputs.locator('.ant-select-selection-search-input, input[role="combobox"]').last().fill('{{ extract_1.form }}');
    await page.keyboard.press('Escape');
    // Until the form output is optional, the problems list says in Chinese why it may be empty.
    await page.getByTestId('problems').getByTestId('problem').first().waitFor({ timeout: 10_000 });
    await expectNoEnglishMessages('the problems of a half-made graph');
    await outputs.getByTestId('end-output-required').nth(1).uncheck();
    await page.getByTestId('problems').getByText('没有问题').waitFor({ timeout: 10_000 });
    await page.getByTestId('layout').click();
    await page.waitForTimeout(800);
    await waitSaved(page);
    await page.screenshot({ path: screenshotPath('team-lead-canvas.png') });
  });

  it('test-runs it: every node succeeds, and the run says the simulator answered', async () => {
    await page.getByTestId('open-run').click();
    await page.getByTestId('sample-select').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-outputs').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('node-classify_1').getAttribute('data-run')).toBe('succeeded');
    await expect.poll(() => page.getByTestId('run-simulated').textContent()).toContain('模拟器');
    await expectNoEnglishMessages('the run panel');
  });

  it('makes a scenario from the 通话质检 template under its own name, edits an audit item and sees the weight total', async () => {
    await page.getByTestId('nav-gallery').click();
    await page.getByTestId('template-card-call-quality-audit').click();
    await page.getByTestId('template-drawer').waitFor();
    await page.getByTestId('use-template').click();
    const name = page.getByTestId('use-template-name');
    await expect.poll(() => name.inputValue()).toBe('通话质检');
    await name.fill('热线通话质检');
    await page.getByTestId('use-template-ok').click();
    await page.waitForURL(/#\/s\//);
    auditScenarioId = page.url().split('/').pop() ?? '';
    const auditNode = (await page.locator('.react-flow__node[data-id^="audit"]').first().getAttribute('data-id')) ?? '';
    await selectNode(page, auditNode);
    const first = page.getByTestId('audit-item').first().locator('input').first();
    await first.fill('开场白规范（热线版）');
    await page.getByTestId('audit-weight-total').waitFor();
    await waitSaved(page);
    await expectNoEnglishMessages('the audit panel');
  });

  it('publishes it, makes a key and calls the API with it', async () => {
    await page.getByTestId('publish-open').click();
    await page.getByTestId('publish-slug').fill(SLUG);
    await page.getByTestId('publish-confirm').click();
    await expect.poll(() => page.getByTestId('publish-done').textContent(), { timeout: 20_000 }).toContain('1');
    await page.getByTestId('publish-close').click();
    await page.getByTestId('nav-keys').click();
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').fill('质检系统');
    await page.getByTestId('key-create-ok').click();
    apiKey = (await page.getByTestId('created-key').textContent()) ?? '';
    await page.getByTestId('key-done').click();
    expect(apiKey.length).toBeGreaterThan(20);
    const sample = JSON.parse(readFileSync(path.join(root, 'tests/fixtures/stc3-sample.jsonl'), 'utf8').split('\n')[0]) as { turns: Array<{ role: string; text: string }> };
    const res = await fetch(`${server.url}/v1/scenarios/${SLUG}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ inputs: { transcript: sample.turns.map((t) => `${t.role === 'agent' ? '坐席' : '客户'}：${t.text}`).join('\n') } }),
    });
    const reply = (await res.json()) as { status: string; version: number; simulated: boolean; outputs: Record<string, unknown> };
    expect([res.status, reply], JSON.stringify(reply)).toMatchObject([200, {}]);
    expect([res.status, reply.version, reply.simulated]).toEqual([200, 1, true]);
    expect(reply.outputs).toHaveProperty('score');
  });

  it('feeds it a 30-call workbook with its own column names, mapped in the preview, and reads the results', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('十二月一日');
    sheet.addRow(['工单号', '通话记录']);
    const rows = readFileSync(path.join(root, 'tests/fixtures/stc3-sample.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 30);
    for (const line of rows) {
      const row = JSON.parse(line) as { id: string; turns: Array<{ role: string; text: string }> };
      sheet.addRow([row.id, row.turns.map((t) => `${t.role === 'agent' ? '坐席' : '客户'}：${t.text}`).join('\n')]);
    }
    const file = path.join(files, '十二月一日.xlsx');
    await book.xlsx.writeFile(file);

    await page.goto(`${server.url}/#/jobs/${auditScenarioId}`);
    await page.locator('[data-testid=job-upload] input[type=file]').setInputFiles(file);
    await page.getByTestId('job-preview').waitFor();
    await expect.poll(() => page.getByTestId('job-unmapped').textContent()).toContain('transcript');
    await expectNoEnglishMessages('the mapping preview');
    for (const [input, column] of [['transcript', '通话记录'], ['id', '工单号']]) {
      await page.getByTestId(`job-map-${input}`).click();
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${column}"]`).click();
      await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
    }
    await page.getByTestId('job-submit').click();
    await page.getByTestId('job-view').waitFor();
    await expect.poll(() => page.getByTestId('job-view').getByTestId('job-status').textContent(), { timeout: 90_000 }).toBe('已完成');
    await expect(page.getByTestId('job-succeeded').textContent()).resolves.toBe('30');
    await expect.poll(() => page.getByTestId('jobs-table').getByTestId('job-progress').first().getAttribute('data-percent')).toBe('100');
    await expectNoEnglishMessages('the finished job');
    await page.screenshot({ path: screenshotPath('team-lead-job.png') });
  });

  it('switches to English: the same pages speak English', async () => {
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('job-view').getByTestId('job-status').textContent()).toBe('Completed');
    await page.goto(`${server.url}/#/s/${auditScenarioId}`);
    await expect.poll(() => page.getByTestId('palette').textContent()).toContain('Classify');
    await expect(page.getByTestId('model-status').textContent()).resolves.toContain('Simulator');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('palette').textContent()).toContain('意图分类');
    expect(browser.errors).toEqual([]);
  });
});
