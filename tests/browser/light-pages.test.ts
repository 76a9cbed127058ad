import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Response } from 'playwright-core';
import { CHART_CHUNK_PREFIX, EDITOR_CHUNK_PREFIX } from '../../client/src/chunks';
import { launchBrowser, startTestServer, type TestBrowser, type TestServer } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: TestServer;
let complaintId = '';
let auditId = '';
let jobId = '';
const open: TestBrowser[] = [];

async function json<T>(method: string, url: string, body?: string, type = 'application/json'): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': type, ...server.authHeaders }, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A page as a browser with an empty cache meets it: the JavaScript files it fetched, in order. */
interface ColdPage {
  browser: TestBrowser;
  scripts: string[];
  responses: Response[];
}

/** Opens `hash` in a new browser profile holding the admin's session and waits for `ready` and a quiet network. */
async function openCold(hash: string, ready: string): Promise<ColdPage> {
  const browser = await launchBrowser();
  open.push(browser);
  const cookie = server.authHeaders.cookie.split('=');
  await browser.context.addCookies([{ name: cookie[0], value: cookie.slice(1).join('='), url: server.url }]);
  const cold: ColdPage = { browser, scripts: [], responses: [] };
  browser.context.on('response', (r) => {
    cold.responses.push(r);
    const file = path.basename(new URL(r.url()).pathname);
    if (file.endsWith('.js')) cold.scripts.push(file);
  });
  await browser.page.goto(`${server.url}/${hash}`);
  await browser.page.locator(ready).first().waitFor();
  await browser.page.waitForLoadState('networkidle');
  return cold;
}

const editorChunks = (scripts: string[]) => scripts.filter((f) => f.startsWith(EDITOR_CHUNK_PREFIX));
const chartChunks = (scripts: string[]) => scripts.filter((f) => f.startsWith(CHART_CHUNK_PREFIX));

beforeAll(async () => {
  // The build names the editor's and the charts' chunks: without them this test would prove nothing.
  const assets = readdirSync(path.join(root, 'dist/client/assets'));
  expect(assets.filter((f) => f.startsWith(EDITOR_CHUNK_PREFIX) && f.endsWith('.js')).length).toBeGreaterThan(3);
  expect(assets.some((f) => f.startsWith(CHART_CHUNK_PREFIX) && f.endsWith('.js'))).toBe(true);
  server = await startTestServer();
  ({ id: complaintId } = await json<{ id: string }>('POST', '/api/templates/complaint-risk/use', JSON.stringify({ name: '投诉风险' })));
  ({ id: auditId } = await json<{ id: string }>('POST', '/api/templates/call-quality-audit/use', JSON.stringify({ name: '通话质检' })));
  await json('POST', `/api/scenarios/${auditId}/publish`, JSON.stringify({ slug: 'light-audit', note: 'v1' }));
  await json('POST', '/api/keys', JSON.stringify({ name: '质检系统', scenarios: ['light-audit'] }));
  const lines = readFileSync(path.join(root, 'tests/fixtures/stc3-sample.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 3)
    .map((l) => { const row = JSON.parse(l) as { id: string; turns: unknown[] }; return JSON.stringify({ id: row.id, inputs: { transcript: { turns: row.turns } } }); });
  ({ job_id: jobId } = await json<{ job_id: string }>('POST', `/api/scenarios/${auditId}/jobs`, `${lines.join('\n')}\n`, 'application/x-ndjson'));
});

afterAll(async () => {
  for (const b of open) await b.close();
  await server?.stop();
});

describe('pages load only the code they draw', () => {
  it('the scenario list: no editor or chart code, compressed and cached files; opening a scenario loads the editor, which works', async () => {
    const list = await openCold('#/', '[data-testid=scenario-link]');
    expect(list.scripts.length).toBeGreaterThan(2);
    expect(editorChunks(list.scripts)).toEqual([]);
    expect(chartChunks(list.scripts)).toEqual([]);
    // The page is asked for anew every time; its hashed files are kept for a year, and compressed above 1 KB.
    const html = list.responses.find((r) => new URL(r.url()).pathname === '/');
    expect(html?.headers()['cache-control']).toBe('no-cache');
    const scripts = list.responses.filter((r) => r.url().endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(2);
    for (const r of scripts) {
      expect(r.headers()['cache-control']).toContain('immutable');
      if ((await r.body()).length > 1024) expect(['gzip', 'br'], r.url()).toContain(r.headers()['content-encoding']);
    }

    const page = list.browser.page;
    await page.getByTestId('scenario-link').filter({ hasText: '投诉风险' }).click();
    await page.waitForURL(new RegExp(`#/s/${complaintId}`));
    await page.getByTestId('node-combine').waitFor();
    expect(editorChunks(list.scripts).length).toBeGreaterThan(0);
    // The code node's panel: Monaco with its TypeScript worker, under the app's CSP.
    await page.getByTestId('node-combine').locator('.mf-node-head').click();
    const editor = page.getByTestId('inspector').locator('.monaco-editor').first();
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nconst broken = ;');
    await page.getByTestId('inspector').locator('.squiggly-error').first().waitFor({ timeout: 20_000 });
    // Monaco draws spaces as no-break spaces.
    await expect.poll(async () => ((await editor.locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ')).toContain('const broken = ;');
    await page.keyboard.press('ControlOrMeta+Z');
    expect(list.browser.errors).toEqual([]);
  });

  it('the keys, gallery, users, evaluation-set and live-alert pages: no editor or chart code', async () => {
    for (const [hash, ready] of [['#/keys', '[data-testid=keys-table] tbody tr[data-row-key]'], ['#/templates', '[data-testid^=template-card-] [data-preview-node]'], ['#/users', '[data-testid=users-table] tbody tr[data-row-key]'], [`#/scenarios/${complaintId}/eval`, '[data-testid=eval-sets] tbody tr[data-row-key]'], [`#/scenarios/${complaintId}/alerts`, '[data-testid=alert-rules] [data-testid=alert-webhook-url]']]) {
      const cold = await openCold(hash, ready);
      expect(cold.scripts.length, hash).toBeGreaterThan(2);
      expect(editorChunks(cold.scripts), hash).toEqual([]);
      expect(chartChunks(cold.scripts), hash).toEqual([]);
      expect(cold.browser.errors, hash).toEqual([]);
    }
  });

  it('the jobs page: a job\'s progress loads no editor or chart code; its dashboard tab loads the charts, still no editor code', async () => {
    const jobs = await openCold(`#/jobs/${auditId}/${jobId}`, '[data-testid=job-view] [data-testid=job-progress]');
    expect(editorChunks(jobs.scripts)).toEqual([]);
    expect(chartChunks(jobs.scripts)).toEqual([]);
    await jobs.browser.page.getByTestId('tab-job-dashboard').click();
    await jobs.browser.page.getByTestId('chart-score').locator('canvas').waitFor();
    expect(chartChunks(jobs.scripts).length).toBeGreaterThan(0);
    expect(editorChunks(jobs.scripts)).toEqual([]);
    expect(jobs.browser.errors).toEqual([]);
  });
});
