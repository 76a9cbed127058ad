import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import type { Graph } from '@shared/graph';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';
import { FORMULA_ID, HOSTILE, hostileGraph, hostileJobItems, injections, named } from './hostile-fixture';

/**
 * Every name a user gives is drawn as text: hostile payloads planted in a scenario, its nodes, audit
 * items, classes, fields, outputs, versions, a key, a template and job items are shown on every page
 * that draws them (list, gallery, canvas, panels, test run, versions and diff, API tab, run log and
 * trace, keys, jobs, dashboard with its chart tooltips, calls, Swagger UI) and none of them runs.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const SLUG = 'hostile-audit';
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';
let jobId = '';
const dialogs: string[] = [];

async function json<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/**
 * Fails on any dialog or console error so far and any element or flag a payload would have made; saves
 * a screenshot (to look at: the names should read as typed) unless told not to.
 */
async function clean(where: string, screenshot = true): Promise<void> {
  await page.waitForTimeout(150); // an onerror or onload fires after the element is attached
  expect(dialogs, `dialogs on ${where}`).toEqual([]);
  expect(await injections(page), `injected on ${where}`).toEqual({ elements: [], pwned: null });
  // Nothing refused by a Content-Security-Policy, no page error.
  expect(browser.errors, `console errors on ${where}`).toEqual([]);
  if (screenshot) await page.screenshot({ path: screenshotPath(`hostile-${where}.png`) });
}

/** Hovers every bar an echarts chart reports in `data-bars`; returns the tooltips' texts. */
async function hoverBars(chart: Locator): Promise<string[]> {
  await expect.poll(async () => (await chart.getAttribute('data-bars')) ?? '').not.toBe('');
  const bars: Array<[number, number] | null> = JSON.parse((await chart.getAttribute('data-bars')) ?? '[]');
  const box = await chart.boundingBox();
  if (!box) throw new Error('chart not visible');
  const texts: string[] = [];
  for (const bar of bars) {
    if (!bar) continue;
    // A bar of value 0 has no width: aim a little right of its axis so item tooltips still open.
    await page.mouse.move(box.x + bar[0] + 2, box.y + bar[1]);
    await page.waitForTimeout(120);
    texts.push((await chart.locator('div').last().textContent()) ?? '');
  }
  await page.mouse.move(0, 0);
  return texts;
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const sample = JSON.parse(readFileSync(path.join(root, 'templates/call-quality-audit/samples/red-line.json'), 'utf8'));
  const graph: Graph = { ...hostileGraph(), inputs: sample.inputs };
  const created = await json<{ id: string }>('POST', '/api/scenarios', { name: graph.name, description: graph.description, graph });
  expect(created.status).toBe(201);
  scenarioId = created.body.id;
  const v1 = await json('POST', `/api/scenarios/${scenarioId}/publish`, { slug: SLUG, note: HOSTILE.script, by: HOSTILE.img });
  expect(v1.status, JSON.stringify(v1.body)).toBe(201);
  // A second version with a renamed node and class, so the versions diff names hostile values on both sides.
  const current = await json<{ graph: Graph; revision: number }>('GET', `/api/scenarios/${scenarioId}`);
  const next = current.body.graph;
  next.nodes = next.nodes.map((n) => {
    if (n.id === 'report') return { ...n, name: named(HOSTILE.svg, '新报告') };
    if (n.id !== 'intent' || !Array.isArray(n.config.classes)) return n;
    return { ...n, config: { ...n.config, classes: n.config.classes.map((c: Record<string, unknown>, i: number) => (i === 0 ? { ...c, name: named(HOSTILE.md, '新类') } : c)) } };
  });
  expect((await json('PUT', `/api/scenarios/${scenarioId}`, { graph: next, revision: current.body.revision })).status).toBe(200);
  const v2 = await json('POST', `/api/scenarios/${scenarioId}/publish`, { note: HOSTILE.md, by: HOSTILE.tpl });
  expect(v2.status, JSON.stringify(v2.body)).toBe(201);

  const key = await json<{ key: string }>('POST', '/api/keys', { name: named(HOSTILE.img, '工单'), scenarios: [SLUG] });
  expect(key.status).toBe(201);
  const run = await json<{ status: string }>('POST', `/v1/scenarios/${SLUG}/run`, { inputs: sample.inputs }, { authorization: `Bearer ${key.body.key}` });
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  const job = await json<{ job_id: string }>('POST', `/api/scenarios/${scenarioId}/jobs`, { items: hostileJobItems(8) });
  expect(job.status, JSON.stringify(job.body)).toBe(202);
  jobId = job.body.job_id;
  const template = await json('POST', '/api/templates', {
    scenario_id: scenarioId,
    id: 'hostile-audit',
    name: { zh: named(HOSTILE.img, '模板'), en: HOSTILE.script },
    description: { zh: HOSTILE.md, en: HOSTILE.style },
    category: 'quality',
    tags: [HOSTILE.svg.slice(0, 50)],
    notes: HOSTILE.js,
  });
  expect(template.status, `${JSON.stringify(template.body)}\n${server.output().slice(-4000)}`).toBe(201);
  for (let i = 0; i < 300 && (await json<{ status: string }>('GET', `/api/jobs/${jobId}`)).body.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('hostile names are drawn as text everywhere', () => {
  it('the app refuses inline script, so markup that slipped through could not run', async () => {
    const reply = await page.goto(`${server.url}/#/`);
    expect(reply?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByTestId('scenario-link').first().waitFor();
    const ran = await page.evaluate(async () => {
      const box = document.createElement('div');
      box.innerHTML = '<img src="x-csp-probe" onerror="window.__cspProbe = 1">';
      document.body.append(box);
      await new Promise((resolve) => setTimeout(resolve, 300));
      box.remove();
      return (window as unknown as { __cspProbe?: number }).__cspProbe ?? null;
    });
    expect(ran).toBeNull();
    // The refusal is the one console error this page logs.
    expect(browser.errors.filter((e) => !/Content Security Policy|x-csp-probe/.test(e))).toEqual([]);
    browser.errors.length = 0;
  });

  it('the scenario list and the template gallery', async () => {
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('scenario-link').first().waitFor();
    await expect.poll(() => page.locator('body').textContent()).toContain(named(HOSTILE.img, '质检'));
    await clean('list');
    await page.getByTestId('nav-gallery').click();
    const card = page.getByTestId('template-card-hostile-audit');
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain(named(HOSTILE.img, '模板'));
    await card.click();
    await page.getByTestId('template-drawer').waitFor();
    await expect.poll(() => page.getByTestId('template-drawer').textContent()).toContain(HOSTILE.md);
    await clean('gallery');
  });

  it('the canvas, every node panel, a test run with its trace', async () => {
    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.getByTestId('node-intent').waitFor();
    await expect(page.getByTestId('node-intent').textContent()).resolves.toContain(named(HOSTILE.svg, '意图'));
    await clean('canvas');
    for (const id of ['start', 'intent', 'form', 'audit', 'report', 'end']) {
      await page.getByTestId(`node-${id}`).locator('.mf-node-head').click();
      await page.getByTestId('inspector').waitFor();
      await clean(`panel-${id}`, id === 'intent' || id === 'form');
    }
    await page.getByTestId('open-run').click();
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-outputs').waitFor({ timeout: 30_000 });
    await clean('run');
    for (const id of ['intent', 'form', 'audit']) {
      await page.getByTestId(`node-${id}`).locator('.mf-node-head').click();
      await page.getByTestId('node-trace').first().waitFor();
      await clean(`trace-${id}`, id === 'audit');
    }
  });

  it('versions and their diff, the API tab, the run log and its trace', async () => {
    await page.getByTestId('tab-versions').click();
    await page.getByTestId('versions-table').waitFor();
    await expect.poll(() => page.getByTestId('versions-table').textContent()).toContain(HOSTILE.script);
    await clean('versions');
    await page.getByTestId('diff-open').click();
    await page.getByTestId('version-diff').waitFor();
    await page.getByTestId('diff-node-changed').first().click();
    await expect.poll(() => page.getByTestId('version-diff').textContent()).toContain(named(HOSTILE.svg, '新报告'));
    await clean('diff');
    await page.keyboard.press('Escape');
    await page.getByTestId('tab-api').click();
    await page.getByTestId('api-endpoint').waitFor();
    await page.getByRole('tab', { name: 'TypeScript' }).click();
    await clean('api');
    await page.getByTestId('tab-logs').click();
    await expect.poll(async () => page.getByTestId('logs-trace').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByTestId('logs-trace').first().click();
    await page.getByTestId('run-trace').waitFor();
    await page.getByTestId('trace-node-intent').click();
    await page.getByTestId('run-trace').getByTestId('node-trace').first().waitFor();
    await clean('logs-trace');
    await page.keyboard.press('Escape');
  });

  it('the keys page', async () => {
    await page.goto(`${server.url}/#/keys`);
    await expect.poll(() => page.getByTestId('keys-table').textContent()).toContain(named(HOSTILE.img, '工单'));
    await clean('keys');
  });

  it('the job, its dashboard with every chart tooltip, the calls behind a bar and one call', async () => {
    await page.goto(`${server.url}/#/jobs/${scenarioId}/${jobId}`);
    await page.getByTestId('job-view').waitFor();
    await clean('job');
    // The CSV download opens the formula-like item id as text in a spreadsheet.
    const csv = await (await fetch(`${server.url}${await page.getByTestId('job-download-csv').getAttribute('href')}`, { headers: server.authHeaders })).text();
    expect(csv).toContain(`"'${FORMULA_ID.replace(/"/g, '""')}"`);
    expect(csv.split('\r\n').some((line) => /^"?[=+@-]/.test(line))).toBe(false);
    await page.getByTestId('tab-job-dashboard').click();
    await expect.poll(() => page.getByTestId('dashboard-calls').textContent()).toBe('8');
    await page.setViewportSize({ width: 1440, height: 1180 });
    await page.waitForTimeout(1200); // the charts' entry animation
    const tips: string[] = [];
    // The charts whose bars are named by users (the score and trend charts are named by numbers and dates).
    for (const chart of ['chart-items', 'chart-fatal']) tips.push(...(await hoverBars(page.getByTestId(chart))));
    // The item and red-line names appear in their tooltips as the text they are.
    expect(tips.some((t) => t.includes(HOSTILE.img) || t.includes(HOSTILE.script) || t.includes(HOSTILE.svg))).toBe(true);
    await page.getByTestId('chart-items').hover({ position: { x: 300, y: 40 } });
    await clean('dashboard');
    const bars: Array<[number, number] | null> = JSON.parse((await page.getByTestId('chart-score').getAttribute('data-bars')) ?? '[]');
    const dash = await json<{ score: Array<{ count: number }> }>('GET', `/api/scenarios/${scenarioId}/dashboard?job_id=${jobId}`);
    const fullest = dash.body.score.reduce((best, b, i, all) => (b.count > all[best].count ? i : best), 0);
    const centre = bars[fullest];
    if (!centre) throw new Error('no score bar');
    await page.getByTestId('chart-score').click({ position: { x: centre[0], y: centre[1] } });
    const rows = page.getByTestId('calls-table').locator('tbody tr.ant-table-row');
    await rows.first().waitFor();
    await expect(page.getByTestId('calls-table').textContent()).resolves.toMatch(/call\d /);
    await clean('calls');
    await rows.first().click();
    await page.getByTestId('call-items').waitFor();
    await clean('call');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('Swagger UI with the scenario operations and schemas opened', async () => {
    // The scenario's own page; the aggregate document's escaping is the same code (unit-tested).
    await page.goto(`${server.url}/docs/${SLUG}`);
    await page.locator('.opblock').first().waitFor();
    // The scenario's own operations (the shared ones carry no user text), and its schemas all the way
    // down: field descriptions are Markdown there.
    for (const summary of await page.locator(`.opblock-summary-control:has([data-path^="/v1/scenarios/${SLUG}/"])`).all()) await summary.click();
    for (const name of ['Inputs', 'Outputs']) {
      await page.locator('section.models article[data-json-schema-level="0"]', { hasText: `${SLUG}.${name}` }).locator('.json-schema-2020-12-expand-deep-button').first().click();
    }
    // Names and descriptions read as the characters typed: in the title and tag, the info block and the schemas.
    const text = (await page.locator('#swagger-ui').textContent()) ?? '';
    expect(text).toContain(named(HOSTILE.img, '质检'));
    expect(text).toContain(`${HOSTILE.script} ${HOSTILE.md} ${HOSTILE.style}`);
    expect(text).toContain(`${HOSTILE.md} ${HOSTILE.img}`);
    await page.locator('section.models').scrollIntoViewIfNeeded();
    await clean('docs-models');
    await page.evaluate(() => window.scrollTo(0, 0));
    await clean('docs');
  });
});
