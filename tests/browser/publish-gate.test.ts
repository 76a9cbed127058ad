/**
 * The publish gate in the browser (issue 14 part 4), as an admin does it: set a gate on the 评测集 page
 * (warn.accuracy ≥ 0.9 on a set the simulator cannot get right throughout: two cases with the same call
 * and opposite labels), publish a changed draft from the editor, watch the evaluation run and the publish
 * refused with the numbers and the cases it got wrong, publish anyway with a note, and find the note on
 * the version and in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { adminJson, launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';
let setId = '';

const json = <T>(method: string, url: string, body?: unknown) => adminJson<T>(server, method, url, body);

const SAME_CALL = '坐席：您好\n客户：网速有点慢，你们看看吧';

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  scenarioId = (await json<{ id: string }>('POST', '/api/templates/complaint-risk/use', { name: '投诉预警 发布门槛' })).id;
  setId = (await json<{ id: string }>('POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: '门槛样本', description: '' })).id;
  await json('POST', `/api/eval-sets/${setId}/cases`, {
    cases: [
      { id: 'g1', inputs: { transcript: SAME_CALL }, expected: { warn: true } },
      { id: 'g2', inputs: { transcript: SAME_CALL }, expected: { warn: false } },
      { id: 'g3', inputs: { transcript: '坐席：您好\n客户：我要投诉到工信部！' }, expected: { warn: true } },
    ],
  });
  await json('POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'complaint-gated', note: 'v1' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the publish gate, as an admin meets it', () => {
  it('sets a gate on the evaluation page', async () => {
    await page.goto(`${server.url}/#/scenarios/${scenarioId}/eval/${setId}`);
    await page.getByTestId('gate-card').waitFor();
    await expect(page.getByTestId('gate-current').textContent()).resolves.toContain('未设置门槛');
    await page.getByTestId('gate-set').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '门槛样本' }).click();
    await page.getByTestId('gate-metric').click();
    await page.keyboard.type('warn.accuracy');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^warn\.accuracy$/ }).click();
    await page.locator('input[data-testid=gate-min], [data-testid=gate-min] input').first().fill('0.9');
    await page.getByTestId('gate-save').click();
    await expect.poll(() => page.getByTestId('gate-current').textContent()).toBe('warn.accuracy（评测集“门槛样本”）：不低于 0.9');
    await page.getByTestId('gate-card').screenshot({ path: screenshotPath('gate-card.png') });
    // The set's 评分方式: warn scored as an exact match instead of a label with kappa and per-class F1.
    await page.getByTestId('eval-metric-kind-warn').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '完全一致' }).click();
    await page.getByTestId('eval-metrics-save').click();
    await page.getByText('已保存评分方式').waitFor();
    await page.getByTestId('eval-metrics').screenshot({ path: screenshotPath('eval-metrics.png') });
    expect(await json<{ overrides: unknown }>('GET', `/api/eval-sets/${setId}/metrics`)).toMatchObject({ overrides: { warn: { kind: 'exact' } } });
  });

  it('refuses a publish below the gate with the numbers and the wrong cases, then publishes with an admin’s note', async () => {
    // A changed draft: the judge's prompt says one more thing.
    const current = await json<{ graph: { nodes: Array<{ id: string; config: Record<string, unknown> }> }; revision: number }>('GET', `/api/scenarios/${scenarioId}`);
    const nodes = current.graph.nodes.map((n) => (n.id === 'judge' ? { ...n, config: { ...n.config, system: `${String(n.config.system)}\n注意客户的语气。` } } : n));
    await json('PUT', `/api/scenarios/${scenarioId}`, { graph: { ...current.graph, nodes }, revision: current.revision });

    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.getByTestId('node-judge').waitFor();
    await page.getByTestId('publish-open').click();
    await expect.poll(() => page.getByTestId('publish-gate-note').textContent()).toContain('warn.accuracy（评测集“门槛样本”）：不低于 0.9');
    await page.getByTestId('publish-note').fill('调整语气判断');
    await page.getByTestId('publish-confirm').click();
    await page.locator('[data-testid=gate-panel][data-status=failed]').waitFor({ timeout: 60_000 });
    const failures = await page.getByTestId('gate-failure').allTextContents();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^草稿的 warn\.accuracy 为 0\.\d+，低于门槛 0\.9$/);
    await expect.poll(() => page.locator('[data-testid=gate-worst] tbody tr[data-row-key]').count()).toBeGreaterThan(0);
    // The simulator answered: the dialog says the scores mean nothing.
    await page.getByTestId('gate-simulated').waitFor();
    expect(await page.getByTestId('publish-confirm').isDisabled()).toBe(true);
    await page.waitForTimeout(300);
    await page.locator('.ant-modal').filter({ has: page.getByTestId('gate-panel') }).screenshot({ path: screenshotPath('screenshot-publish-gate.png') });

    await page.getByTestId('gate-override-note').fill('投诉高峰，先上线语气判断，评测集明天补充');
    await page.getByTestId('gate-override-publish').click();
    await expect.poll(() => page.getByTestId('publish-done').textContent()).toContain('2');
    await page.getByTestId('publish-close').click();

    await page.getByTestId('tab-versions').click();
    await expect.poll(() => page.getByTestId('version-gate-2').textContent()).toBe('越过门槛');
    await expect(page.getByTestId('version-override-note-2').textContent()).resolves.toBe('投诉高峰，先上线语气判断，评测集明天补充');
  });

  it('finds the override in the audit log, worded', async () => {
    await page.goto(`${server.url}/#/audit`);
    const row = page.locator('tr', { hasText: '管理员越过发布门槛' });
    await row.first().waitFor();
    await expect(row.first().textContent()).resolves.toContain('投诉高峰，先上线语气判断，评测集明天补充');
  });
});
