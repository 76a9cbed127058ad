/**
 * Feeding a job the way a team lead does (issue 13 part 7): download the scenario's upload template,
 * fill a 30-call workbook with their own column names, see its first rows and map the columns before
 * submitting, wait for the job, and download the results as Excel with a column pair per audit item;
 * the jobs list and the job view show the same progress.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = mkdtempSync(path.join(tmpdir(), 'mofang-jobs-template-'));
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';

async function json<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function readBook(file: string): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  return book;
}

const values = (row: ExcelJS.Row) => (Array.isArray(row.values) ? row.values.slice(1) : []);

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  const created = await json<{ id: string }>('POST', '/api/templates/call-quality-audit/use', { name: '通话质检（模板上传）' });
  expect(created.status).toBe(201);
  scenarioId = created.body.id;
  expect((await json('POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'call-audit-xlsx', note: 'v1' })).status).toBe(201);
  // 30 calls in the team's own workbook: their column names, not the inputs'.
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('六月一日');
  sheet.addRow(['编号', '通话内容', '坐席']);
  const rows = readFileSync(path.join(root, 'tests/fixtures/stc3-sample.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 30);
  for (const line of rows) {
    const row: { id: string; turns: Array<{ role: string; text: string }> } = JSON.parse(line);
    sheet.addRow([row.id, row.turns.map((t) => `${t.role === 'agent' ? '坐席' : '客户'}：${t.text}`).join('\n'), '1024']);
  }
  await book.xlsx.writeFile(path.join(files, '六月一日.xlsx'));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(files, { recursive: true, force: true });
});

describe('a job fed from a workbook', () => {
  it('downloads the upload template as Excel: one column per input, with notes', async () => {
    await page.goto(`${server.url}/#/jobs/${scenarioId}`);
    await page.getByTestId('job-upload').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('job-template-xlsx').click()]);
    expect(download.suggestedFilename()).toBe('call-audit-xlsx-v1-template.xlsx');
    const file = path.join(files, 'template.xlsx');
    await download.saveAs(file);
    const book = await readBook(file);
    expect(values(book.worksheets[0].getRow(1))).toEqual(['id', 'transcript']);
    expect(String(book.worksheets[0].getCell('B1').note)).toContain('必填');
  });

  it('explains each column beside the download links (the CSV has no notes of its own)', async () => {
    const table = page.getByTestId('job-template-columns');
    await table.waitFor();
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('CSV 模板只有表头和一行示例');
    const row = table.locator('tr[data-row-key="transcript"]');
    expect(await row.textContent()).toMatch(/transcript.*通话转写.*必填/);
    expect(await table.locator('tr[data-row-key="id"]').textContent()).toContain('选填');
  });

  it('previews the first rows, blocks submitting until the transcript has a column, then submits 30 calls', async () => {
    await page.locator('[data-testid=job-upload] input[type=file]').setInputFiles(path.join(files, '六月一日.xlsx'));
    const preview = page.getByTestId('job-preview');
    await preview.waitFor();
    await expect.poll(() => preview.locator('tbody tr.ant-table-row').count()).toBe(5);
    await expect(preview.locator('thead').textContent()).resolves.toContain('通话内容');
    // Nothing is named "transcript": the required input waits for a column, and submitting waits too.
    await expect.poll(() => page.getByTestId('job-unmapped').textContent()).toContain('transcript');
    await expect(page.getByTestId('job-submit').isDisabled()).resolves.toBe(true);
    for (const [input, column] of [['transcript', '通话内容'], ['id', '编号']]) {
      await page.getByTestId(`job-map-${input}`).click();
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${column}"]`).click();
      // The next select opens its own list once this one has closed.
      await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
      await expect(page.getByTestId(`job-map-${input}`).textContent()).resolves.toContain(column);
    }
    await expect.poll(() => page.getByTestId('job-unmapped').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('screenshot-jobs-mapping.png') });
    await page.getByTestId('job-submit').click();
    await page.getByTestId('job-view').waitFor();
    await expect.poll(() => page.getByTestId('job-view').getByTestId('job-status').textContent(), { timeout: 60_000 }).toBe('已完成');
    await expect(page.getByTestId('job-succeeded').textContent()).resolves.toBe('30');
  });

  it('shows the same progress and rate in the list and the view', async () => {
    const inView = page.getByTestId('job-view').getByTestId('job-progress');
    const inList = page.getByTestId('jobs-table').getByTestId('job-progress').first();
    await expect.poll(() => inList.getAttribute('data-percent')).toBe('100');
    await expect(inView.getAttribute('data-percent')).resolves.toBe('100');
    await expect.poll(() => page.getByTestId('job-list-rate').first().textContent()).toBe(await page.getByTestId('job-rate').textContent());
  });

  it('downloads the results as Excel: a score and a result column per audit item', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('job-download-xlsx').click()]);
    expect(download.suggestedFilename()).toMatch(/^call-audit-xlsx-\d{4}-\d{2}-\d{2}-[\w-]{8}\.xlsx$/);
    const file = path.join(files, 'results.xlsx');
    await download.saveAs(file);
    const sheet = (await readBook(file)).worksheets[0];
    expect(sheet.rowCount).toBe(31);
    const header = values(sheet.getRow(1)).map(String);
    expect(header.slice(0, 6)).toEqual(['id', 'run_id', 'status', 'simulated', 'score', 'verdict']);
    expect(header.filter((h) => h.endsWith(' · 得分')).length).toBeGreaterThan(2);
    expect(header.filter((h) => h.endsWith(' · 结果')).length).toBe(header.filter((h) => h.endsWith(' · 得分')).length);
    expect(values(sheet.getRow(2))[2]).toBe('succeeded');
    expect(browser.errors).toEqual([]);
  });
});
