import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser, startTestServer, type TestBrowser, type TestServer } from './harness';

/**
 * The pages work under the Content-Security-Policies the server sends (server/src/http/csp.ts): the
 * canvas with Monaco and its language worker, a dashboard chart (echarts) and Swagger UI at /docs load
 * with no policy violation and no console error; and no page of Mofang can be framed.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';
let jobId = '';

async function json<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** The policy violations the page's documents reported (recorded by the init script below). */
async function violations(): Promise<string[]> {
  return page.evaluate(() => {
    const seen: unknown = Reflect.get(window, '__cspViolations');
    return Array.isArray(seen) ? seen.map(String) : [];
  });
}

/** No violation and no console error so far. */
async function clean(where: string): Promise<void> {
  await page.waitForTimeout(200);
  expect(await violations(), `policy violations on ${where}`).toEqual([]);
  expect(browser.errors, `console errors on ${where}`).toEqual([]);
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  // Every document records the violations its policy reports, before any of its own scripts run.
  await browser.context.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(window, '__cspViolations', { value: seen });
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  // An audit scenario with a code node, published, and a finished job over a few calls for its dashboard.
  const used = await json<{ id: string }>('POST', '/api/templates/call-quality-audit/use', { name: '质检' });
  expect(used.status).toBe(201);
  scenarioId = used.body.id;
  expect((await json('POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'audit', note: 'csp' })).status).toBe(201);
  const sample = JSON.parse(readFileSync(path.join(root, 'templates/call-quality-audit/samples/red-line.json'), 'utf8'));
  const job = await json<{ job_id: string }>('POST', `/api/scenarios/${scenarioId}/jobs`, { items: [1, 2, 3, 4].map((i) => ({ id: `call${i}`, inputs: sample.inputs })) });
  expect(job.status, JSON.stringify(job.body)).toBe(202);
  jobId = job.body.job_id;
  for (let i = 0; i < 300 && (await json<{ status: string }>('GET', `/api/jobs/${jobId}`)).body.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the pages under their Content-Security-Policy', () => {
  it('the canvas, with Monaco and its JavaScript worker', async () => {
    const created = await json<{ id: string }>('POST', '/api/templates/complaint-risk/use', { name: '投诉风险' });
    expect(created.status).toBe(201);
    const reply = await page.goto(`${server.url}/#/s/${created.body.id}`);
    const csp = reply?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(reply?.headers()['x-frame-options']).toBe('DENY');
    // The code node's panel: Monaco, whose JavaScript diagnostics come from its TypeScript worker.
    await page.getByTestId('node-combine').locator('.mf-node-head').click();
    const editor = page.getByTestId('inspector').locator('.monaco-editor').first();
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nconst broken = ;');
    await page.getByTestId('inspector').locator('.squiggly-error').first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('ControlOrMeta+Z');
    await clean('canvas');
  });

  it('a job dashboard with its echarts charts', async () => {
    await page.goto(`${server.url}/#/jobs/${scenarioId}/${jobId}`);
    await page.getByTestId('tab-job-dashboard').click();
    await expect.poll(() => page.getByTestId('dashboard-calls').textContent()).toBe('4');
    const chart = page.getByTestId('chart-score');
    await chart.locator('canvas').waitFor();
    await expect.poll(async () => (await chart.getAttribute('data-bars')) ?? '').not.toBe('');
    await chart.hover();
    await clean('dashboard');
  });

  it('Swagger UI at /docs and at a scenario\'s page', async () => {
    for (const url of ['/docs', '/docs/audit']) {
      const reply = await page.goto(`${server.url}${url}`);
      expect(reply?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await page.locator('.opblock').first().waitFor();
      await page.locator('.opblock-summary-control').first().click();
      await page.locator('.opblock-body').first().waitFor();
      await clean(url);
    }
  });
});

describe('framing', () => {
  it('no page of Mofang loads inside a frame, whatever the site around it', async () => {
    const targets = ['/', '/#/keys', '/docs', '/api/health'];
    // A page of another site that frames Mofang's pages, and (the control) a page of its own, served
    // by the browser's router.
    await page.route('http://framer.test/**', (route) => {
      const own = route.request().url().endsWith('/inner');
      const frames = targets.map((t) => `<iframe src="${server.url}${t}"></iframe>`).join('');
      return route.fulfill({ contentType: 'text/html', body: `<!doctype html><link rel="icon" href="data:,">${own ? '<p id="inner">framed</p>' : `<iframe src="/inner"></iframe>${frames}`}` });
    });
    await page.goto('http://framer.test/');
    const children = () => page.frames().filter((f) => f !== page.mainFrame());
    await expect.poll(() => children().length).toBe(targets.length + 1);
    const control = children().find((f) => f.url() === 'http://framer.test/inner');
    await expect.poll(() => control?.locator('#inner').count()).toBe(1);
    // Each of Mofang's pages was refused: the browser put its error page in the frame instead.
    await expect.poll(() => children().filter((f) => f.url().startsWith('chrome-error:')).length).toBe(targets.length);
    expect(children().some((f) => f.url().startsWith(server.url))).toBe(false);
    await page.unroute('http://framer.test/**');
  });
});
