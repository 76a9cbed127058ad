/**
 * Live alert settings as a designer sets them (issue 15 part 3), in zh-CN: from a scenario's evaluation
 * page to 实时预警, a keyword rule on what the customer says and a rule on the risk level, the board's
 * risk output and a webhook; the signing secret is shown once with a copy button, and not after a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { adminJson, launchBrowser, pickOption, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scenarioId = '';
const HOOK = 'http://127.0.0.1:9/alerts';

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
  scenarioId = (await adminJson<{ id: string }>(server, 'POST', '/api/templates/complaint-risk/use', { name: '投诉风险（实时）' })).id;
  await adminJson(server, 'POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'risk-live', note: '实时预警' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('live alert settings, as a designer sets them', () => {
  it('sets a keyword rule, a risk rule, the board risk output and a webhook; shows the secret once', async () => {
    await page.goto(`${server.url}/#/scenarios/${scenarioId}/eval`);
    await page.getByTestId('eval-alert-rules').click();
    await page.getByTestId('alert-rules').waitFor();
    await expect.poll(async () => (await page.getByTestId('alert-rules').textContent()) ?? '').toContain('按线上版本 v1 的输出检查');

    await page.getByTestId('alert-rule-add').click();
    await page.getByTestId('alert-rule-name-0').fill('客户说要投诉');
    await page.getByTestId('alert-rule-words-0').click();
    await page.keyboard.type('投诉');
    await page.keyboard.press('Enter');
    await page.keyboard.type('12300');
    await page.keyboard.press('Enter');

    await page.getByTestId('alert-rule-add').click();
    await page.getByTestId('alert-rule-name-1').fill('风险等级高');
    await pickOption(page, 'alert-rule-kind-1', '等于');
    await pickOption(page, 'alert-rule-output-1', 'risk_level（string）');
    // An output that is one labelled field of the template's judge is offered by its label too.
    expect(await page.locator('.ant-select-item-option[title^="客户情绪 · emotion（"]').count()).toBeGreaterThan(0);
    await page.getByTestId('alert-rule-value-1').fill('high');
    await pickOption(page, 'alert-rule-severity-1', '严重');

    await pickOption(page, 'alert-risk-output', 'risk_level（string）');
    await page.getByTestId('alert-webhook-url').fill(HOOK);
    await expect.poll(async () => page.getByTestId('alert-secret-state').textContent()).toContain('还没有签名密钥');
    await page.getByTestId('alert-rules-save').click();

    await page.getByTestId('alert-secret-shown').waitFor();
    const secret = (await page.getByTestId('alert-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(await page.getByTestId('alert-secret-shown').textContent()).toContain('只显示这一次');
    await expect(page.getByTestId('alert-secret-copy').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath('alert-rules-zh.png') });

    const saved = await adminJson<{ rules: unknown[]; risk_output: string; webhook_url: string; webhook_secret_set: boolean; webhook_secret?: string }>(server, 'GET', `/api/scenarios/${scenarioId}/alert-rules`);
    expect(saved).toMatchObject({
      rules: [
        { id: 'r1', name: '客户说要投诉', kind: 'keyword', role: 'customer', words: ['投诉', '12300'], severity: 'warning' },
        { id: 'r2', name: '风险等级高', kind: 'equals', output: 'risk_level', value: 'high', severity: 'critical' },
      ],
      risk_output: 'risk_level',
      webhook_url: HOOK,
      webhook_secret_set: true,
    });
    expect(saved.webhook_secret).toBeUndefined();

    // A reload shows the settings, and that a secret exists, but never the secret again.
    await page.reload();
    await page.getByTestId('alert-rules').waitFor();
    await expect.poll(async () => page.getByTestId('alert-secret-state').textContent()).toContain('已有签名密钥');
    await expect.poll(() => page.getByTestId('alert-rule-name-1').inputValue()).toBe('风险等级高');
    expect(await page.getByTestId('alert-secret-shown').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(browser.errors).toEqual([]);
  });
});
