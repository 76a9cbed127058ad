/**
 * Human review as an inspector does it (issue 14 part 5, run against the simulator): a call-quality
 * scenario whose rules put every batch result in the queue; a job of 20 calls; the inspector opens 人工复核,
 * reviews all 20 (the transcript's evidence turns highlighted for the audit item in focus), corrects three
 * by toggling an item, confirms the rest with the keyboard, and finds the 20 cases in the 人工复核
 * evaluation set. Screenshots in zh-CN and en.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { chooseOwnPassword, launchBrowser, pickOption, screenshotPath, signOut, startTestServer, type TestBrowser, type TestServer } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';
const inspector = { name: 'qc-li', password: '' };

async function json<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The first `n` calls of the STC-3 sample as job items. */
function calls(n: number): Array<{ id: string; inputs: { transcript: { turns: unknown[] } } }> {
  return readFileSync(path.join(root, 'tests/fixtures/stc3-sample.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, n)
    .map((l) => {
      const row: { id: string; turns: unknown[] } = JSON.parse(l);
      return { id: row.id, inputs: { transcript: { turns: row.turns } } };
    });
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  scenarioId = (await json<{ id: string }>('POST', '/api/templates/call-quality-audit/use', { name: '通话质检（复核）' })).id;
  await json('POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'qa-review', note: '质检' });
  await json('PUT', `/api/scenarios/${scenarioId}/review-rules`, { rules: [{ kind: 'always' }], outputs: ['items', 'verdict'] });
  const job = await json<{ job_id: string }>('POST', `/api/scenarios/${scenarioId}/jobs`, { items: calls(20) });
  for (let i = 0; i < 300; i++) {
    const progress = await json<{ status: string }>('GET', `/api/jobs/${job.job_id}`);
    if (progress.status === 'completed') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  inspector.password = (await json<{ password: string }>('POST', '/api/users', { name: inspector.name, display_name: '李质检', role: 'inspector' })).password;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A screenshot once the toasts of earlier decisions have gone. */
async function screenshot(name: string): Promise<void> {
  await expect.poll(() => page.locator('.ant-message-notice').count(), { timeout: 10_000 }).toBe(0);
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshotPath(name) });
}

/** The id in the hash of the item on screen. */
const shownItem = () => decodeURIComponent(new URL(page.url()).hash.replace('#/review/', ''));

describe('human review, as an inspector does it', () => {
  it('lets the admin add a rule in the rules editor, refusing one that does not fit in the UI language', async () => {
    await page.goto(`${server.url}/#/scenarios/${scenarioId}/eval`);
    await page.getByTestId('eval-review-rules').click();
    await page.getByTestId('review-rules').waitFor();
    await expect.poll(async () => page.getByTestId('review-rule-kind-0').textContent()).toContain('全部复核');
    await page.getByTestId('review-rule-add').click();
    await pickOption(page, 'review-rule-output-1', 'report（文本）');
    await page.getByTestId('review-rules-save').click();
    await expect.poll(async () => (await page.getByTestId('review-rules-error').textContent()) ?? '').toContain('没有置信度');
    await pickOption(page, 'review-rule-output-1', 'score（数值）');
    await page.getByTestId('review-rules-save').click();
    await expect.poll(() => page.getByTestId('review-rules-error').count()).toBe(0);
    const saved = await json<{ rules: unknown[] }>('GET', `/api/scenarios/${scenarioId}/review-rules`);
    expect(saved.rules).toEqual([{ kind: 'always' }, { kind: 'low_confidence', output: 'score', below: 0.6 }]);
    // The refused save is the one failed request the browser saw.
    expect(browser.errors).toEqual([expect.stringContaining('400')]);
    browser.errors.length = 0;
  });

  it('signs in as an inspector and finds the 20 results in the queue', async () => {
    await page.goto(`${server.url}/#/`);
    await signOut(page);
    await page.goto(`${server.url}/#/sign-in?next=${encodeURIComponent('#/')}`);
    await page.getByTestId('sign-in-name').fill(inspector.name);
    await page.getByTestId('sign-in-password').fill(inspector.password);
    await page.getByTestId('sign-in-submit').click();
    Object.assign(inspector, await chooseOwnPassword(page, inspector, 'an inspector chose this'));
    await page.getByTestId('nav-review').click();
    await page.getByTestId('review-page').waitFor();
    await expect.poll(async () => page.getByTestId('review-tab-pending').textContent()).toContain('20');
    // The admin's page may still have had requests in flight when they signed out: those answer 401 and
    // the browser logs them. What the inspector does from here must log nothing.
    browser.errors.length = 0;
  });

  it('reviews all 20: corrects three by toggling an audit item, confirms the rest with Ctrl+Enter, moving on by itself', async () => {
    await page.locator('[data-testid=review-queue] tbody tr[data-row-key]').first().click();
    await page.getByTestId('review-item').waitFor();
    const seen = new Set<string>();
    for (let n = 0; n < 20; n++) {
      await expect.poll(() => shownItem()).not.toBe('');
      const id = shownItem();
      expect(seen.has(id)).toBe(false);
      seen.add(id);
      await page.getByTestId('review-output-items').waitFor();
      if (n === 1 || n === 6 || n === 11) {
        // Focus an audit item that can be toggled, one with evidence when there is one: its turns are highlighted.
        const rows = page.locator('[data-testid=review-output-items] tbody tr[data-row-key]').filter({ has: page.locator('.ant-switch') });
        const withEvidence = rows.filter({ has: page.locator('.ant-tag-blue') });
        const row = (await withEvidence.count()) > 0 ? withEvidence.first() : rows.first();
        await row.locator('td').first().click();
        if ((await withEvidence.count()) > 0) await expect.poll(() => page.locator('.mf-review-turn-hl').count()).toBeGreaterThan(0);
        await row.locator('.ant-switch').click();
        if (n === 1) await screenshot('screenshot-review.png');
        await page.getByTestId('review-save').click();
      } else {
        await page.getByTestId('review-item').click({ position: { x: 5, y: 5 } });
        await page.keyboard.press('Control+Enter');
      }
      if (n < 19) await expect.poll(() => shownItem(), { timeout: 10_000 }).not.toBe(id);
    }
    await expect.poll(async () => page.getByTestId('review-tab-pending').textContent()).toContain('0');
    expect(await page.getByTestId('review-tab-corrected').textContent()).toContain('3');
    expect(await page.getByTestId('review-tab-confirmed').textContent()).toContain('17');
    expect(browser.errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });

  it('shows a corrected item with who decided and what changed, in English too', async () => {
    await page.getByTestId('review-tab-corrected').click();
    const rows = page.locator('[data-testid=review-queue] tbody tr[data-row-key]');
    await expect.poll(() => rows.count()).toBe(3);
    const first = (await rows.first().getAttribute('data-row-key')) ?? '';
    await rows.first().click();
    await expect.poll(() => shownItem()).toBe(first);
    await page.getByTestId('review-decision').waitFor();
    expect(await page.getByTestId('review-decision').textContent()).toContain('qc-li');
    expect(await page.getByTestId('review-item-status').textContent()).toBe('已修改');
    await page.getByTestId('lang-switch').click();
    await expect.poll(async () => page.getByTestId('review-item-status').textContent()).toBe('Corrected');
    await page.locator('[data-testid=review-output-items] tbody tr[data-row-key]').filter({ has: page.locator('.ant-tag-blue') }).first().locator('td').first().click();
    await screenshot('screenshot-review-en.png');
    await page.getByTestId('lang-switch').click();
  });

  it("shows the scenario's rules to the inspector, who may not change them", async () => {
    await page.getByTestId('review-scenario').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').first().click();
    await page.getByTestId('review-rules-open').click();
    await page.getByTestId('review-rules').waitFor();
    expect(await page.getByTestId('review-rule-kind-0').textContent()).toContain('全部复核');
    expect(await page.getByTestId('review-rules-save').count()).toBe(0);
    await screenshot('screenshot-review-rules.png');
  });

  it('finds the 20 decisions as cases of the 人工复核 evaluation set, one revision each', async () => {
    await page.goto(`${server.url}/#/scenarios/${scenarioId}/eval`);
    await page.getByTestId('eval-page').waitFor();
    const row = page.locator('[data-testid=eval-sets] tbody tr[data-row-key]').filter({ hasText: '人工复核' });
    await expect.poll(async () => (await row.textContent()) ?? '').toContain('r20');
    expect(await row.textContent()).toContain('20');
    await row.click();
    await page.getByTestId('eval-set-view').waitFor();
    await expect.poll(async () => page.getByTestId('eval-set-revision').textContent()).toContain('r20');
    await page.waitForTimeout(600);
    await page.screenshot({ path: screenshotPath('screenshot-review-set.png') });
  });
});
