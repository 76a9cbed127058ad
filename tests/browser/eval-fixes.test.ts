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
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

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
});
