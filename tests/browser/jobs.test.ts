import { dataStoreOf } from '../../server/src/storage/store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import Database from 'better-sqlite3';
import iconv from 'iconv-lite';
import { buildXlsx } from '../../bench/xlsx-fixture';
import { openStore } from '../../server/src/storage/db';
import { TranscriptRetention } from '../../server/src/storage/retention';
import { launchBrowser, screenshotPath, signIn, startTestServer, type TestBrowser, type TestServer } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = mkdtempSync(path.join(tmpdir(), 'mofang-jobs-files-'));
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';

async function json<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** The first `n` conversations of the STC-3 sample as job lines. */
function jobLines(n: number): string[] {
  return readFileSync(path.join(root, 'tests/fixtures/stc3-sample.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, n)
    .map((l) => {
      const row: { id: string; turns: unknown[] } = JSON.parse(l);
      return JSON.stringify({ id: row.id, inputs: { transcript: { turns: row.turns } } });
    });
}

/** Clicks the `index`th bar of an echarts chart at the pixel centre it reports in `data-bars`. */
async function clickBar(chart: Locator, index: number): Promise<void> {
  await expect.poll(async () => (await chart.getAttribute('data-bars')) ?? '').not.toBe('');
  const bars: Array<[number, number] | null> = JSON.parse((await chart.getAttribute('data-bars')) ?? '[]');
  const centre = bars[index];
  if (!centre) throw new Error(`no bar ${index}`);
  await chart.click({ position: { x: centre[0], y: centre[1] } });
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  const created = await json<{ id: string }>('POST', '/api/templates/call-quality-audit/use', { name: '通话质检（批量）' });
  expect(created.status).toBe(201);
  scenarioId = created.body.id;
  const published = await json<{ version: number }>('POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'call-audit-batch', note: '全量质检' });
  expect(published.status).toBe(201);
  writeFileSync(path.join(files, 'day.jsonl'), `${jobLines(20).join('\n')}\n`);
  writeFileSync(path.join(files, 'broken.jsonl'), `${jobLines(1)[0]}\n{"inputs": {"transcript": \n`);
  const csv = 'id,transcript\r\ng1,"坐席：您好，请问有什么可以帮您？\n客户：我家宽带断了，路由器灯一直红。"\r\ng2,"坐席：您好\n客户：话费怎么多扣了二十元？"\r\n';
  writeFileSync(path.join(files, '今天-gbk.csv'), iconv.encode(csv, 'gbk'));
  writeFileSync(path.join(files, '今天-big5.csv'), iconv.encode(csv.replace(/宽带/g, '寬頻'), 'big5'));
  writeFileSync(path.join(files, '今天.xlsx'), await buildXlsx(['id', 'transcript'], 2, (i) => [`x${i + 1}`, i === 0 ? '坐席：您好\n客户：宽带断了' : '坐席：您好\n客户：话费多扣了']));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(files, { recursive: true, force: true });
});

describe('batch inspection, as a quality inspector does it', () => {
  it('refuses a broken file naming its line', async () => {
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('nav-jobs').click();
    // The only published scenario is chosen by itself.
    await page.getByTestId('job-upload').waitFor();
    await expect.poll(() => page.getByTestId('jobs-scenario').textContent()).toContain('call-audit-batch');
    await expect.poll(() => page.getByTestId('jobs-version').textContent()).toContain('v1');
    await page.locator('[data-testid=job-upload] input[type=file]').setInputFiles(path.join(files, 'broken.jsonl'));
    await expect.poll(() => page.getByTestId('job-lines-read').textContent()).toContain('2');
    await page.getByTestId('job-submit').click();
    // The reason in Chinese (issue 13: no English inside the refusal), the place in front.
    await expect.poll(() => page.getByTestId('job-refused').textContent()).toBe('服务器拒收：第 2 行：不是有效的 JSON');
    // The browser logs the refused request (400) as a console error; it was expected.
    expect(browser.errors.every((e) => e.includes('400'))).toBe(true);
    browser.errors.length = 0;
  });

  it('uploads a day of calls and watches the job finish', async () => {
    await page.locator('[data-testid=job-upload] input[type=file]').setInputFiles(path.join(files, 'day.jsonl'));
    await expect.poll(() => page.getByTestId('job-lines-read').textContent()).toBe('day.jsonl：读到 20 条');
    await page.getByTestId('job-submit').click();
    await page.getByTestId('job-view').waitFor();
    await expect.poll(() => page.getByTestId('job-view').getByTestId('job-status').textContent(), { timeout: 30_000 }).toBe('已完成');
    await expect(page.getByTestId('job-succeeded').textContent()).resolves.toBe('20');
    await expect(page.getByTestId('job-failed').textContent()).resolves.toBe('0');
    await expect(page.getByTestId('job-pending').textContent()).resolves.toBe('0');
    expect(page.url()).toMatch(new RegExp(`#/jobs/${scenarioId}/[\\w-]+$`));
    await expect(page.getByTestId('job-cancel').isDisabled()).resolves.toBe(true);
    const jsonl = await page.getByTestId('job-download-jsonl').getAttribute('href');
    expect(jsonl).toMatch(/^\/api\/jobs\/[\w-]+\/results$/);
    await expect(page.getByTestId('job-download-csv').getAttribute('href')).resolves.toBe(`${jsonl}?format=csv&lang=zh`);
    // The download is saved under the scenario, the day and the job, with its extension (it was a bare "results").
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('job-download-jsonl').click()]);
    expect(download.suggestedFilename()).toMatch(/^call-audit-batch-\d{4}-\d{2}-\d{2}-[\w-]{8}\.jsonl$/);
    const results = await (await fetch(`${server.url}${jsonl}`, { headers: server.authHeaders })).text();
    expect(results.trim().split('\n')).toHaveLength(20);
    await expect.poll(() => page.getByTestId('jobs-table').locator('tbody tr.ant-table-row').count()).toBe(1);
    await expect.poll(() => page.getByTestId('jobs-table').textContent()).toContain('已完成');
    // The job names who submitted it: the signed-in admin.
    expect(await page.getByTestId('jobs-table').getByTestId('job-submitter').first().textContent()).toBe('测试管理员');
    expect(await page.getByTestId('job-view').textContent()).toContain('提交人: 测试管理员');
    await page.waitForTimeout(3200); // the progress bars' transition and the submit toast
    await page.screenshot({ path: screenshotPath('screenshot-jobs.png') });
  });

  it('opens the dashboard, clicks a bar and sees the calls behind it, then one call with its evidence', async () => {
    await page.getByTestId('tab-job-dashboard').click();
    await expect.poll(() => page.getByTestId('dashboard-calls').textContent()).toBe('20');
    const jobId = page.url().split('/').pop() ?? '';
    const dash = await json<{ score: Array<{ from: number; count: number }>; items: Array<{ id: string; fatal: boolean; fail: number }> }>('GET', `/api/scenarios/${scenarioId}/dashboard?job_id=${jobId}`);
    // A taller window shows every chart; the wait lets the entry animation and the submit toast finish.
    await page.setViewportSize({ width: 1440, height: 1180 });
    await page.waitForTimeout(3200);
    await page.screenshot({ path: screenshotPath('screenshot-dashboard.png') });
    await page.setViewportSize({ width: 1440, height: 900 });

    // The fullest score bar: the drawer lists exactly its calls, lowest score first.
    const fullest = dash.body.score.reduce((best, b, i, all) => (b.count > all[best].count ? i : best), 0);
    await clickBar(page.getByTestId('chart-score'), fullest);
    const rows = page.getByTestId('calls-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(dash.body.score[fullest].count);
    const from = dash.body.score[fullest].from;
    const scores = (await rows.locator('td:nth-child(2)').allTextContents()).map(Number);
    expect(scores.every((s) => s >= from && s <= from + 10)).toBe(true);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));

    // One call: every audit item, and the transcript with the failing items' evidence turns marked.
    await rows.first().click();
    await page.getByTestId('call-detail').waitFor();
    await expect.poll(() => page.getByTestId('call-items').locator('tbody tr.ant-table-row').count()).toBe(dash.body.items.length);
    await page.getByTestId('call-transcript').waitFor();
    expect(await page.getByTestId('call-transcript').locator('[data-turn]').count()).toBeGreaterThan(0);
    await page.waitForTimeout(500); // the drawer's slide
    await page.screenshot({ path: screenshotPath('screenshot-dashboard-call.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('call-detail').waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await page.getByTestId('calls-table').waitFor({ state: 'detached' });

    // The per-item fail-rate chart: the worst item's bar opens the calls that failed it.
    const plain = dash.body.items.filter((i) => !i.fatal);
    const worst = plain.reduce((best, item) => (item.fail > best.fail ? item : best), plain[0]);
    const index = [...plain].reverse().findIndex((i) => i.id === worst.id);
    await clickBar(page.getByTestId('chart-items'), index);
    await expect.poll(() => rows.count()).toBe(Math.min(20, worst.fail));

    // Once the transcript retention has cleared the job, a call says so (when, and by which setting)
    // where its transcript was, and keeps its audit items.
    const store = openStore(server.dataDir);
    try {
      expect((await new TranscriptRetention(dataStoreOf(store.db), { days: 1, now: () => Date.now() + 2 * 86_400_000 }).sweep()).jobs).toBeGreaterThan(0);
    } finally {
      store.close();
    }
    await rows.first().click();
    await page.getByTestId('call-detail').waitFor();
    await expect.poll(() => page.getByTestId('call-no-transcript').textContent()).toMatch(/MOFANG_TRANSCRIPT_RETENTION_DAYS.*这通电话的转写已于 .+ 清除；质检结果和评分仍保留/);
    expect(await page.getByTestId('call-items').locator('tbody tr.ant-table-row').count()).toBe(dash.body.items.length);
    await page.keyboard.press('Escape');
    await page.getByTestId('call-detail').waitFor({ state: 'detached' });
    expect(browser.errors).toEqual([]);
  });

  it('reads a GBK CSV, refuses a Big5 one before sending, and sends an Excel workbook', async () => {
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('nav-jobs').click();
    await page.getByTestId('job-upload').waitFor();
    const input = page.locator('[data-testid=job-upload] input[type=file]');
    await input.setInputFiles(path.join(files, '今天-big5.csv'));
    await expect.poll(() => page.getByTestId('job-refused').textContent()).toBe('今天-big5.csv：文件不是 UTF-8 编码，看起来是 Big5。请另存为 UTF-8（或 GBK/GB18030、带 BOM 的 UTF-16）后再上传');
    await expect(page.getByTestId('job-submit').isDisabled()).resolves.toBe(true);
    await input.setInputFiles(path.join(files, '今天-gbk.csv'));
    await expect.poll(() => page.getByTestId('job-lines-read').textContent()).toBe('今天-gbk.csv：读到 2 条 （按 GB18030/GBK 编码读取）');
    await input.setInputFiles(path.join(files, '今天.xlsx'));
    await expect.poll(() => page.getByTestId('job-lines-read').textContent()).toContain('Excel 工作簿');
    await page.getByTestId('job-submit').click();
    await page.getByTestId('job-view').waitFor();
    await expect.poll(() => page.getByTestId('job-view').textContent()).toContain('共 2 条');
    await expect.poll(() => page.getByTestId('job-view').getByTestId('job-status').textContent(), { timeout: 30_000 }).toBe('已完成');
    await expect(page.getByTestId('job-succeeded').textContent()).resolves.toBe('2');
    expect(browser.errors).toEqual([]);
  });
});

describe('a job against a failing model endpoint', () => {
  let failing: TestServer;
  beforeAll(async () => {
    // Every model call fails: each item ends failed with its reason after the runner's attempts.
    process.env.MOFANG_SIM_ERROR_RATE = '1';
    try {
      failing = await startTestServer();
    } finally {
      delete process.env.MOFANG_SIM_ERROR_RATE;
    }
    const created = await fetch(`${failing.url}/api/templates/call-quality-audit/use`, { method: 'POST', headers: { 'content-type': 'application/json', ...failing.authHeaders }, body: '{}' });
    const { id } = await created.json();
    await fetch(`${failing.url}/api/scenarios/${id}/publish`, { method: 'POST', headers: { 'content-type': 'application/json', ...failing.authHeaders }, body: JSON.stringify({ slug: 'audit-failing' }) });
    writeFileSync(path.join(files, 'three.jsonl'), `${jobLines(3).join('\n')}\n`);
  });
  afterAll(async () => {
    await failing?.stop();
  });

  it('lists every failed item with its reason, and retries one', async () => {
    // Another server on the same host: cookies ignore the port, so this one needs its own sign-in.
    if (!failing.admin) throw new Error('the failing server has no admin');
    await signIn(page, failing.url, failing.admin, '#/jobs');
    await page.getByTestId('job-upload').waitFor();
    await page.locator('[data-testid=job-upload] input[type=file]').setInputFiles(path.join(files, 'three.jsonl'));
    await page.getByTestId('job-submit').click();
    await expect.poll(() => page.getByTestId('job-view').getByTestId('job-status').textContent(), { timeout: 60_000 }).toBe('已完成');
    await expect.poll(() => page.getByTestId('job-failed').textContent()).toBe('3');
    const rows = page.getByTestId('job-errors').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(3);
    // The reason reads in the UI's language; the engine's English stays in the tooltip.
    expect(await rows.first().textContent()).toMatch(/模型调用失败/);
    expect(await rows.first().textContent()).not.toMatch(/model_error/);
    await expect(page.getByTestId('job-retry-failed').isDisabled()).resolves.toBe(false);
    await rows.first().getByTestId('job-error-retry').click();
    // The item runs again (and fails again against this endpoint): its attempts grow past the first 3.
    await expect.poll(async () => Number(await rows.first().locator('td:nth-child(4)').textContent()), { timeout: 60_000 }).toBeGreaterThan(3);
    await expect.poll(() => page.getByTestId('job-view').getByTestId('job-status').textContent(), { timeout: 60_000 }).toBe('已完成');
    // Once the transcript retention has cleared the job, a retry is refused, and the page says why in Chinese.
    const db = new Database(path.join(failing.dataDir, 'mofang.db'));
    try {
      db.prepare('update jobs set redacted_at = ?').run(Date.now());
    } finally {
      db.close();
    }
    await page.getByTestId('job-retry-failed').click();
    await page.getByText('这批任务的通话转写已按保留期限清除').waitFor();
  });
});
