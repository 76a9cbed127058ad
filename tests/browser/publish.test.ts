import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Graph } from '@shared/graph';
import { launchBrowser, pickOption, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SLUG = 'intent-triage-e2e';
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';
let apiKey = '';
let runId = '';

function triageGraph(): Graph {
  return JSON.parse(readFileSync(path.join(root, 'templates/intent-triage/graph.json'), 'utf8'));
}

async function json<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** The version the API serves now, from a real call with the key made on the keys page. */
async function callApi(): Promise<{ status: number; body: { run_id: string; version: number } }> {
  return json('POST', `/v1/scenarios/${SLUG}/run`, { inputs: triageGraph().inputs }, { authorization: `Bearer ${apiKey}` });
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  const created = await json<{ id: string }>('POST', '/api/scenarios', { name: '意图分流 API', graph: triageGraph() });
  scenarioId = created.body.id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('publishing a scenario as an API, as a team lead and a developer do it', () => {
  it('publishes the intent-triage scenario from the editor and sees version 1', async () => {
    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.getByTestId('node-classify_1').waitFor();
    await page.getByTestId('tab-api').click();
    await page.getByTestId('api-unpublished').waitFor();
    await page.getByTestId('publish-open').click();
    const slug = page.getByTestId('publish-slug');
    await slug.waitFor();
    // The server suggests a slug; this test picks its own.
    await slug.fill(SLUG);
    await page.getByTestId('publish-note').fill('第一版');
    // The publisher is the signed-in account, not a name to type.
    await expect(page.getByTestId('publish-by').textContent()).resolves.toBe('测试管理员（admin）');
    await page.getByTestId('publish-confirm').click();
    await expect.poll(() => page.getByTestId('publish-done').textContent()).toContain('1');
    await expect(page.getByTestId('publish-url').textContent()).resolves.toContain(`/v1/scenarios/${SLUG}/run`);
    await page.getByTestId('publish-show-api').click();
    await page.getByTestId('tab-versions').click();
    const v1 = page.getByTestId('versions-table').locator('tr', { hasText: 'v1' });
    await v1.getByTestId('live-tag').waitFor();
    await expect(v1.textContent()).resolves.toContain('admin');
    await expect(v1.textContent()).resolves.toContain('第一版');
  });

  it('shows the API tab with the real slug, docs links and snippets', async () => {
    await page.getByTestId('tab-api').click();
    await expect.poll(() => page.getByTestId('api-endpoint').textContent()).toContain(`/v1/scenarios/${SLUG}/run`);
    await expect(page.getByTestId('api-live-version').textContent()).resolves.toBe('v1');
    await expect(page.getByTestId('api-openapi-link').getAttribute('href')).resolves.toBe(`/v1/scenarios/${SLUG}/openapi.json`);
    const curl = await page.getByTestId('snippet-curl').textContent();
    expect(curl).toContain(`/v1/scenarios/${SLUG}/run`);
    expect(curl).toContain('坐席：');
    await page.getByRole('tab', { name: 'TypeScript' }).click();
    const ts = await page.getByTestId('snippet-ts').textContent();
    expect(ts).toContain('export interface IntentTriageE2eInputs');
    expect(ts).toContain('export interface IntentTriageE2eOutputs');
    await page.getByRole('tab', { name: 'curl', exact: true }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('screenshot-api.png') });
  });

  it('creates a key on the keys page and reads it once from the modal', async () => {
    await page.getByTestId('nav-keys').click();
    await page.getByTestId('keys-title').waitFor();
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').fill('工单系统');
    await page.getByTestId('key-create-ok').click();
    await page.getByTestId('created-key').waitFor();
    apiKey = (await page.getByTestId('created-key').textContent()) ?? '';
    expect(apiKey.length).toBeGreaterThan(20);
    await page.getByTestId('key-done').click();
    await expect.poll(() => page.getByTestId('keys-table').textContent()).toContain('工单系统');
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('screenshot-keys.png') });
    expect(await page.getByTestId('keys-table').textContent()).not.toContain(apiKey);
    expect(await page.getByTestId('keys-table').textContent()).toContain('仅自己的调用');

    // A reporting key that reads every key's runs: the checkbox gives it the runs:read scope, shown in the list.
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').fill('报表系统');
    await page.getByTestId('key-read-all').check();
    await page.getByTestId('key-create-ok').click();
    await page.getByTestId('created-key').waitFor();
    await page.getByTestId('key-done').click();
    const reporting = page.getByTestId('keys-table').locator('tbody tr', { hasText: '报表系统' });
    await expect.poll(() => reporting.textContent()).toContain('可读全部调用');
  });

  it('calls the API with that key and finds the run, and its trace, in the logs tab', async () => {
    const reply = await callApi();
    expect(reply.status).toBe(200);
    expect(reply.body.version).toBe(1);
    runId = reply.body.run_id;
    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.getByTestId('node-classify_1').waitFor();
    await page.getByTestId('tab-logs').click();
    await page.getByTestId('logs-table').waitFor();
    // The run log is written behind the reply: refresh until the run is there.
    await expect
      .poll(async () => {
        await page.getByTestId('logs-refresh').click();
        return page.getByTestId('logs-trace').count();
      }, { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.getByTestId('chart-runs').locator('canvas').waitFor();
    await page.getByTestId('logs-trace').first().click();
    await page.getByTestId('run-trace').waitFor();
    await expect(page.getByTestId('run-trace').textContent()).resolves.toContain(runId);
    await page.getByTestId('trace-node-classify_1').click();
    await page.getByTestId('run-trace').getByTestId('node-trace').first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('screenshot-trace.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('run-trace').waitFor({ state: 'hidden' });
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('screenshot-logs.png') });
  });

  it('publishes a change, shows it as a visual diff, and rolls back to version 1', async () => {
    const current = await json<{ graph: Graph; revision: number }>('GET', `/api/scenarios/${scenarioId}`);
    const graph = current.body.graph;
    const classify = graph.nodes.find((n) => n.id === 'classify_1');
    if (!classify) throw new Error('no classify_1');
    classify.config = { ...classify.config, minConfidence: 0.7 };
    const at = (id: string) => graph.nodes.find((n) => n.id === id)?.position ?? { x: 0, y: 0 };
    const position = { x: (at('audit_1').x + at('merge_1').x) / 2, y: at('audit_1').y + 160 };
    graph.nodes.push({ id: 'template_1', kind: 'template', version: 1, name: '质检摘要', position, config: { template: '{{ audit_1.verdict }}' } });
    graph.edges = graph.edges.filter((e) => e.id !== 'e6');
    graph.edges.push({ id: 'e8', source: 'audit_1', sourcePort: 'out', target: 'template_1', targetPort: 'in' }, { id: 'e9', source: 'template_1', sourcePort: 'out', target: 'merge_1', targetPort: 'in' });
    const saved = await json('PUT', `/api/scenarios/${scenarioId}`, { graph, revision: current.body.revision });
    expect(saved.status).toBe(200);

    await page.reload();
    await page.getByTestId('node-template_1').waitFor();
    await page.getByTestId('publish-open').click();
    await page.getByTestId('publish-note').fill('提高置信度阈值，加质检摘要');
    await page.getByTestId('publish-confirm').click();
    await expect.poll(() => page.getByTestId('publish-done').textContent()).toContain('2');
    await page.getByTestId('publish-close').click();
    expect((await callApi()).body.version).toBe(2);

    await page.getByTestId('tab-versions').click();
    await page.getByTestId('versions-table').locator('tr', { hasText: 'v2' }).getByTestId('live-tag').waitFor();
    await page.getByTestId('diff-open').click();
    await page.getByTestId('version-diff').waitFor();
    await page.getByTestId('diff-node-added').waitFor();
    await page.getByTestId('diff-node-changed').first().waitFor();
    await expect(page.getByTestId('diff-fields').textContent()).resolves.toContain('config.minConfidence');
    await expect(page.getByTestId('diff-fields').textContent()).resolves.toContain('0.7');
    await page.waitForTimeout(400);
    await page.screenshot({ path: screenshotPath('screenshot-diff.png') });
    await page.keyboard.press('Escape');

    await page.getByTestId('rollback-1').click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await page.getByTestId('versions-table').locator('tr', { hasText: 'v1' }).getByTestId('live-tag').waitFor();
    // Takes effect at once.
    expect((await callApi()).body.version).toBe(1);
  });

  it('diffs backwards: the node v2 added shows as removed, faded red', async () => {
    await pickOption(page, 'diff-from', 'v2');
    await pickOption(page, 'diff-to', 'v1');
    await page.getByTestId('diff-open').click();
    await page.getByTestId('version-diff').waitFor();
    await page.getByTestId('diff-node-removed').waitFor();
    await expect(page.getByTestId('version-diff').textContent()).resolves.toContain('质检摘要');
    await page.keyboard.press('Escape');
  });

  it('a draft that does not compile lists its problems, and a click selects the node', async () => {
    const graph = triageGraph();
    const end = graph.nodes.find((n) => n.id === 'end');
    if (!end) throw new Error('no end node');
    end.config = { outputs: [{ name: 'intent', type: 'auto', value: '{{ nosuch.label }}' }] };
    const created = await json<{ id: string }>('POST', '/api/scenarios', { name: '坏草稿', graph });
    await page.goto(`${server.url}/#/s/${created.body.id}`);
    await page.getByTestId('node-end').waitFor();
    await page.getByTestId('publish-open').click();
    await page.getByTestId('publish-confirm').click();
    const problem = page.getByTestId('publish-problem').filter({ hasText: 'nosuch' }).first();
    await problem.waitFor();
    await problem.click();
    await expect.poll(() => page.locator('.react-flow__node.selected').getAttribute('data-id')).toBe('end');
    expect((await json<{ live_version: number | null }>('GET', `/api/scenarios/${created.body.id}/publication`)).body.live_version).toBeNull();
    // The refused publish is the one error the browser logs (its 422 reply).
    expect(browser.errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
  });
});
