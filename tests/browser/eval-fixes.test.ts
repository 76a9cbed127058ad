/**
 * The 评测集 page's refusals and texts, in zh-CN and en: a 30 000-case file is refused with the server's
 * coded 413 and the spinner stops (upload and preview alike), the preview names the keys that map to
 * nothing and refuses an empty file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, pickOption, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

const files = mkdtempSync(path.join(tmpdir(), 'mofang-eval-fixes-'));
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';
let setId = '';

async function json<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Shows the page in a language (the choice is kept in localStorage) and opens the set. */
async function openSet(lang: 'zh' | 'en'): Promise<void> {
  await page.evaluate((l) => localStorage.setItem('mofang.lang', l), lang);
  await page.goto(`${server.url}/#/scenarios/${scenarioId}/eval/${setId}`);
  await page.reload();
  await page.getByTestId('eval-set-view').waitFor();
}

const caseLine = (i: number) => JSON.stringify({ id: `c${i}`, inputs: { transcript: `坐席：您好\n客户：第 ${i} 通` }, expected: { warn: i % 2 === 0 } });

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  scenarioId = (await json<{ id: string }>('POST', '/api/templates/complaint-risk/use', { name: '投诉预警' })).id;
  setId = (await json<{ id: string }>('POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: '抽检', description: '' })).id;
  writeFileSync(path.join(files, 'big.jsonl'), Array.from({ length: 30_000 }, (_, i) => caseLine(i)).join('\n'));
  writeFileSync(path.join(files, 'unknown.jsonl'), `${JSON.stringify({ id: 'u1', inputs: { transcript: '客户：你好' }, expected: { warn: true, nope: 1 } })}\n`);
  writeFileSync(path.join(files, 'empty.jsonl'), '\n\n');
  await page.goto(`${server.url}/#/`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(files, { recursive: true, force: true });
});

describe('evaluation set refusals', () => {
  for (const lang of ['zh', 'en'] as const) {
    it(`refuses a 30 000-case file at once with the coded too_many_cases text, no spinner left (${lang})`, async () => {
      await openSet(lang);
      const picked = Date.now();
      await page.locator('[data-testid=eval-upload] input[type=file]').setInputFiles(path.join(files, 'big.jsonl'));
      await page.getByTestId('eval-refused').waitFor({ timeout: 15_000 });
      expect(Date.now() - picked).toBeLessThan(15_000);
      expect(await page.getByTestId('eval-refused').textContent()).toBe(lang === 'zh' ? '一个评测集最多 20000 条用例' : 'A set holds at most 20000 cases');
      await expect.poll(() => page.locator('[data-testid=eval-upload] .ant-spin').count()).toBe(0);
      expect(await page.getByTestId('eval-upload-send').isDisabled()).toBe(true);
      await page.screenshot({ path: screenshotPath(`eval-too-many-${lang}.png`) });
    });

    it(`previews a file whose keys name nothing and refuses an empty one (${lang})`, async () => {
      await openSet(lang);
      await page.locator('[data-testid=eval-upload] input[type=file]').setInputFiles(path.join(files, 'unknown.jsonl'));
      await page.getByTestId('eval-unknown-columns').waitFor();
      const said = (await page.getByTestId('eval-unknown-columns').textContent()) ?? '';
      expect(said).toContain('expected.nope');
      expect(said).toContain(lang === 'zh' ? '上传会被拒绝' : 'the upload would be refused');
      expect(await page.getByTestId('eval-upload-send').isDisabled()).toBe(true);
      await page.screenshot({ path: screenshotPath(`eval-unknown-keys-${lang}.png`) });
      await page.locator('[data-testid=eval-upload] input[type=file]').setInputFiles(path.join(files, 'empty.jsonl'));
      await expect.poll(async () => (await page.getByTestId('eval-refused').textContent().catch(() => '')) ?? '').toBe(lang === 'zh' ? '文件里没有用例' : 'The file holds no case');
      expect(await page.getByTestId('eval-upload-send').isDisabled()).toBe(true);
      expect(browser.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    });
  }

  it('shows STC-3 case ids on one line, transcripts with translated speakers, and edit hints in the UI language', async () => {
    const targets = await json<{ outputs: Array<{ name: string; type: string }>; builtin: Array<{ name: string }> }>('GET', `/api/scenarios/${scenarioId}/eval-sets/targets`);
    const sets = await json<{ sets: Array<{ id: string; name: string }> }>('GET', `/api/scenarios/${scenarioId}/eval-sets`);
    const stc = sets.sets.find((x) => x.name === targets.builtin[0].name);
    expect(stc).toBeDefined();
    const hints = { zh: { boolean: 'true 或 false', string: '文本，如 "high" 或 high', array: 'JSON 列表，如 ["a", "b"]' }, en: { boolean: 'true or false', string: 'Text, e.g. "high" or high', array: 'A JSON list, e.g. ["a", "b"]' } } as const;
    for (const lang of ['zh', 'en'] as const) {
      await page.evaluate((l) => localStorage.setItem('mofang.lang', l), lang);
      await page.goto(`${server.url}/#/scenarios/${scenarioId}/eval/${stc?.id ?? ''}`);
      await page.reload();
      await page.getByTestId('eval-set-view').waitFor();
      const first = page.locator('[data-testid=eval-cases] tbody tr[data-row-key]').first();
      await first.waitFor();
      const caseId = (await first.getAttribute('data-row-key')) ?? '';
      // The id stays on one line of the cell.
      const idBox = await first.getByTestId('eval-case-id').boundingBox();
      expect(idBox?.height ?? 99).toBeLessThan(30);
      const inputs = (await page.getByTestId(`eval-inputs-${caseId}`).getAttribute('title')) ?? '';
      if (lang === 'zh') {
        expect(inputs).toMatch(/(坐席|客户)：/);
        expect(inputs).not.toMatch(/(agent|customer)：/);
      } else {
        expect(inputs).toMatch(/(Agent|Customer)：/);
      }
      await page.screenshot({ path: screenshotPath(`eval-stc3-${lang}.png`) });
      await page.getByTestId(`eval-edit-${caseId}`).click();
      for (const o of targets.outputs) {
        const hint = (await page.getByTestId(`eval-edit-hint-${o.name}`).textContent()) ?? '';
        const want = hints[lang][o.type as keyof (typeof hints)['zh']];
        if (want) expect(hint, `${lang} ${o.name}`).toBe(want);
        if (lang === 'zh') expect(hint.replace(/true|false|high|JSON|"[a-z]"/g, ''), o.name).not.toMatch(/[A-Za-z]{3,}/);
      }
      await page.screenshot({ path: screenshotPath(`eval-edit-hints-${lang}.png`) });
      await page.keyboard.press('Escape');
    }
  });

  it('adds a test run to a set from the run panel, its outputs the expected values', async () => {
    await page.evaluate(() => localStorage.setItem('mofang.lang', 'zh'));
    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.reload();
    await page.getByTestId('open-run').click();
    await page.getByTestId('sample-select').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-outputs').waitFor({ timeout: 30_000 });
    await page.getByTestId('run-add-to-set').click();
    await page.getByTestId('run-add-to-set-select').waitFor();
    await pickOption(page, 'run-add-to-set-select', '抽检 (r0)');
    await page.getByTestId('run-add-to-set-confirm').click();
    await expect.poll(async () => (await json<{ case_list: Array<{ source: { kind: string }; expected: Record<string, unknown> }> }>('GET', `/api/eval-sets/${setId}`)).case_list.length, { timeout: 10_000 }).toBe(1);
    const made = (await json<{ case_list: Array<{ source: { kind: string; run_id?: string }; expected: Record<string, unknown> }> }>('GET', `/api/eval-sets/${setId}`)).case_list[0];
    expect(made.source.kind).toBe('run');
    expect(Object.keys(made.expected)).toContain('warn');
    // The runs listed under the panel offer it too.
    expect(await page.getByTestId('history-add-to-set').count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('run-add-to-set-zh.png') });
  });

  it('fits the call log in the 420-px side panel, in zh and en', async () => {
    await json('POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'fix-logs', note: 'v1' });
    const key = (await json<{ key: string }>('POST', '/api/keys', { name: 'logs' })).key;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/v1/scenarios/fix-logs/run`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ inputs: { transcript: '坐席：您好\n客户：我要投诉，宽带三天没修好' } }) });
      expect(res.status).toBe(200);
    }
    for (const lang of ['zh', 'en'] as const) {
      await page.evaluate((l) => localStorage.setItem('mofang.lang', l), lang);
      await page.goto(`${server.url}/#/s/${scenarioId}`);
      await page.reload();
      await page.getByTestId('tab-logs').click();
      await page.getByTestId('logs-table').waitFor();
      await expect.poll(async () => {
        await page.getByTestId('logs-refresh').click();
        return page.getByTestId('logs-trace').count();
      }, { timeout: 10_000 }).toBe(3);
      const overflow = await page.evaluate(() => {
        const over = (el: Element | null) => (el ? el.scrollWidth - el.clientWidth : -1);
        return { panel: over(document.querySelector('[data-testid=side-panel]')), table: over(document.querySelector('[data-testid=logs-table] .ant-table-content')) };
      });
      expect(overflow.panel, lang).toBeLessThanOrEqual(0);
      expect(overflow.table, lang).toBeLessThanOrEqual(0);
      expect(await page.getByTestId('logs-add-to-set').count()).toBe(3);
      await page.getByTestId('side-panel').screenshot({ path: screenshotPath(`logs-panel-${lang}.png`) });
    }
  });

  it('shows every mapping label whole in the upload preview, in zh and en', async () => {
    writeFileSync(path.join(files, 'labels.csv'), '编号,通话内容,风险等级\nq1,"坐席：您好\n客户：我要投诉",high\n');
    for (const lang of ['zh', 'en'] as const) {
      await openSet(lang);
      await page.locator('[data-testid=eval-upload] input[type=file]').setInputFiles(path.join(files, 'labels.csv'));
      await page.getByTestId('job-mapping').waitFor();
      const labels = page.locator('[data-testid^=job-map-label-]');
      expect(await labels.count()).toBeGreaterThan(5);
      const cut = await labels.evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1).map((el) => el.textContent));
      expect(cut, lang).toEqual([]);
      expect(await page.getByTestId('job-map-label-expected.risk_level').textContent()).toContain('expected.risk_level');
      expect(await page.getByTestId('job-map-label-expected.risk_level').getAttribute('title')).toMatch(/^expected\.risk_level/);
      await page.getByTestId('job-mapping').screenshot({ path: screenshotPath(`eval-mapping-labels-${lang}.png`) });
    }
  });
});
