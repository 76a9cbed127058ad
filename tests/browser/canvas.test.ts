import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deleteWire, dropFromPalette, selectNode, waitSaved, wire } from './canvas-kit';
import { dragBetween, launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

let server: TestServer;
let browser: TestBrowser;
let page: Page;

/** Replaces the text of a monaco editor (found by its test id) by typing, as a person would. */
async function typeInEditor(testId: string, text: string, close = true): Promise<void> {
  const editor = page.getByTestId(testId).locator('.monaco-editor');
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
  if (close) await page.keyboard.press('Escape');
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(server);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the canvas, as a new user uses it', () => {
  let scenarioUrl = '';

  it('creates a blank scenario from the list, and says the model is the simulator', async () => {
    await page.goto(server.url);
    await expect(page.getByTestId('model-status').textContent()).resolves.toContain('模拟器');
    await page.getByTestId('create-scenario').click();
    await page.getByTestId('scenario-name-input').fill('宽带报修分流');
    await page.locator('.ant-modal textarea').fill('按来电意图分流：故障报修、服务投诉、业务咨询');
    await page.getByTestId('scenario-name-input').press('Enter');
    await page.getByTestId('node-start').waitFor();
    await page.getByTestId('node-end').waitFor();
    scenarioUrl = page.url();
    expect(scenarioUrl).toMatch(/#\/s\//);
  });

  it('drags llm and classify onto the canvas and wires start → llm → classify → end', async () => {
    // The blank scenario wires start straight to end: remove that wire first.
    await deleteWire(page, 'e_start_end');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(0);

    await dropFromPalette(page, 'llm', 300, 420);
    await page.getByTestId('node-llm_1').waitFor();
    await dropFromPalette(page, 'classify', 560, 420);
    await page.getByTestId('node-classify_1').waitFor();
    // Dropped while the new llm node was selected, classify is wired from it.
    await page.locator('.react-flow__edge[data-id="e_llm_1_out__classify_1_in"]').waitFor();
    await page.getByTestId('layout').click();
    await page.waitForTimeout(1000);

    await wire(page, 'out-start-out', 'in-llm_1-in');
    for (const port of ['fault', 'complaint', 'other']) await wire(page, `out-classify_1-${port}`, 'in-end-in');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(5);
    await page.getByTestId('layout').click();
    await page.waitForTimeout(800);

    // A wire back upstream is refused, with the reason said.
    await dragBetween(page, '[data-testid="out-classify_1-other"]', '[data-testid="in-llm_1-in"]');
    await page.locator('.ant-message-notice').filter({ hasText: /已经有连接|环路/ }).waitFor();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(5);
  });

  it('configures the nodes in their panels', async () => {
    await selectNode(page, 'llm_1');
    await page.getByTestId('node-name').fill('通话摘要');
    await typeInEditor('prompt-user', '请用一句话总结这通电话：{{ start.transcript.text }}');
    await selectNode(page, 'classify_1');
    // `{{` completion offers the upstream outputs; Enter takes one and closes the braces.
    await typeInEditor('classify-input', '{{ llm_1.te', false);
    await page.locator('.suggest-widget .monaco-list-row').filter({ hasText: 'llm_1.text' }).first().waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('node-classify_1').locator('.mf-node-body').textContent()).toBe('{{ llm_1.text }}');
    await page.getByTestId('class-list').getByRole('button', { name: /添加/ }).click();
    await page.getByTestId('class-name').last().fill('业务咨询');
    await expect.poll(() => page.locator('[data-testid^="out-classify_1-"]').count()).toBe(4);
    // A class's branch must lead somewhere: until it does, the problems list says so.
    await page.getByTestId('problems').getByText(/没有连线/).first().waitFor();
    const ports = await page.locator('[data-testid^="out-classify_1-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
    const added = ports.find((id) => !/-(fault|complaint|other)$/.test(id));
    if (!added) throw new Error(`no new class port among ${ports.join(', ')}`);
    await wire(page, added, 'in-end-in');
    await page.screenshot({ path: screenshotPath('screenshot-panel.png') });

    await selectNode(page, 'end');
    const outputs = page.getByTestId('end-outputs');
    await outputs.getByRole('button', { name: /添加/ }).click();
    await outputs.locator('input').first().fill('intent');
    await outputs.locator('.ant-select-selection-search-input, input[role="combobox"]').last().fill('{{ classify_1.label }}');
    await page.keyboard.press('Escape');
    await outputs.getByRole('button', { name: /添加/ }).click();
    await outputs.locator('input:not([role="combobox"]):not([type="checkbox"])').nth(1).fill('summary');
    await outputs.locator('.ant-select-selection-search-input, input[role="combobox"]').last().fill('{{ llm_1.text }}');
    await page.keyboard.press('Escape');

    await page.getByTestId('problems').getByText('没有问题').waitFor({ timeout: 10_000 });
    await waitSaved(page);
  });

  it('test-runs against the simulator and shows every node’s result', async () => {
    await page.getByTestId('open-run').click();
    await page.getByTestId('sample-select').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-outputs').waitFor({ timeout: 30_000 });
    for (const id of ['start', 'llm_1', 'classify_1', 'end']) {
      await expect.poll(() => page.getByTestId(`node-${id}`).getAttribute('data-run')).toBe('succeeded');
    }
    await expect(page.getByTestId('run-llm_1').textContent()).resolves.toMatch(/ms/);
    await expect.poll(() => page.getByTestId('run-history').locator('.ant-list-item').count()).toBeGreaterThan(0);
    await selectNode(page, 'llm_1');
    await page.getByTestId('node-trace').waitFor();
    await expect(page.getByTestId('node-trace').textContent()).resolves.toContain('请用一句话总结这通电话');
    await selectNode(page, 'classify_1');
    await page.getByTestId('node-trace').getByText(/confidence/).first().waitFor();
    await page.waitForTimeout(400);
    await page.screenshot({ path: screenshotPath('screenshot-canvas.png') });
  });

  it('finds everything saved after a reload', async () => {
    await waitSaved(page);
    await page.reload();
    await page.getByTestId('node-classify_1').waitFor();
    await expect(page.getByTestId('node-llm_1').textContent()).resolves.toContain('通话摘要');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(6);
    await expect(page.getByTestId('scenario-name').inputValue()).resolves.toBe('宽带报修分流');
  });

  it('marks a broken reference on its node and in the problems list', async () => {
    await selectNode(page, 'llm_1');
    await page.getByTestId('inspector').locator('.ant-segmented-item').first().click().catch(() => undefined);
    await typeInEditor('prompt-user', '总结：{{ nosuch.text }}');
    await expect.poll(() => page.getByTestId('node-llm_1').getAttribute('data-problems'), { timeout: 10_000 }).not.toBe('0');
    await expect(page.getByTestId('problems').textContent()).resolves.toContain('nosuch');
    await page.getByTestId('prompt-user').locator('.squiggly-error').first().waitFor();
    // Clicking the problem selects its node.
    await page.locator('.react-flow__pane').click();
    await page.getByTestId('problem').filter({ hasText: 'nosuch' }).first().click();
    await expect.poll(() => page.locator('.react-flow__node.selected').getAttribute('data-id')).toBe('llm_1');
    // Undo brings the good prompt back and the problem goes away.
    await page.locator('.react-flow__pane').click();
    await page.keyboard.press('ControlOrMeta+Z');
    await expect.poll(() => page.getByTestId('node-llm_1').getAttribute('data-problems'), { timeout: 10_000 }).toBe('0');
  });

  it('switches the language to English and back', async () => {
    await page.getByTestId('lang-switch').click();
    await expect(page.getByTestId('palette').textContent()).resolves.toContain('Classify');
    await expect(page.getByTestId('model-status').textContent()).resolves.toContain('Simulator');
    // The classifier's fixed fallback port speaks the UI's language; the class names are the user's.
    const ports = () => page.getByTestId('node-classify_1').locator('.mf-port-row').allTextContents();
    await expect.poll(ports).toContain('Other');
    await page.getByTestId('lang-switch').click();
    await expect(page.getByTestId('palette').textContent()).resolves.toContain('意图分类');
    await expect.poll(ports).toContain('其他');
  });

  it('lists, duplicates and searches scenarios', async () => {
    await waitSaved(page);
    await page.getByTestId('back').click();
    await page.getByTestId('scenario-link').first().waitFor();
    await page.getByRole('button', { name: /复制/ }).first().click();
    await expect.poll(() => page.getByTestId('scenario-link').count()).toBe(2);
    await page.locator('.ant-spin-blur').waitFor({ state: 'detached' });
    await page.screenshot({ path: screenshotPath('screenshot-list.png') });
    await page.getByTestId('list-search').locator('input').fill('没有这个');
    await expect.poll(() => page.getByTestId('scenario-link').count()).toBe(0);
    expect(browser.errors.filter((e) => !/ResizeObserver/.test(e))).toEqual([]);
  });
});
