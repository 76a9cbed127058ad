import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { code, condition, end, llm, start } from '@shared/nodes/index';
import { launchBrowser, screenshotPath, startTestServer, type TestBrowser, type TestServer } from './harness';

/**
 * Issue 13's complaint, walked in the default Chinese UI: a draft with several problems and a run that
 * fails show no English sentence in the problems list, on the node badges or in the run errors.
 */

let server: TestServer;
let browser: TestBrowser;
let page: Page;

const node = (id: string, kind: string, config: unknown, x: number, y = 0) => ({ id, kind, version: 1, position: { x, y }, config });
const edge = (id: string, source: string, target: string, sourcePort = 'out') => ({ id, source, sourcePort, target, targetPort: 'in' });

/** Runs of three or more Latin words: an English sentence, not a name, a code or a number. */
function englishSentences(text: string): string[] {
  return text.match(/[A-Za-z][A-Za-z'’-]*(?:[\s,:;.]+[A-Za-z][A-Za-z'’-]*){2,}/g) ?? [];
}

async function createScenario(name: string, graph: unknown): Promise<string> {
  const res = await fetch(`${server.url}/api/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.authHeaders }, body: JSON.stringify({ name, graph }) });
  expect(res.status).toBe(201);
  return (await res.json()).id;
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

describe('messages in zh-CN', () => {
  it('lists every compile problem in Chinese: config checks, schema issues, references, topology', async () => {
    const graph = {
      schema: 'mofang.graph/v1',
      name: '问题很多的草稿',
      nodes: [
        node('start', 'start', { inputs: [{ name: 'text', type: 'string', required: true }] }, 0),
        // prompt_empty
        node('llm_1', 'llm', { ...llm.defaults(), system: '', user: '' }, 250),
        // op_needs_number, and its false branch is not connected
        node('cond_1', 'condition', { ...condition.defaults(), conditions: [{ left: '{{ start.text }}', op: 'gte', right: '3' }] }, 250, 220),
        // a zod issue: too_big
        node('llm_2', 'llm', { ...llm.defaults(), user: '{{ start.text }}', maxTokens: 999_999 }, 500),
        // an unknown reference
        node('llm_3', 'llm', { ...llm.defaults(), user: '{{ nosuch.text }}' }, 500, 220),
        node('end', 'end', end.defaults(), 750),
      ],
      edges: [edge('e1', 'start', 'llm_1'), edge('e2', 'llm_1', 'end'), edge('e3', 'start', 'cond_1'), edge('e4', 'cond_1', 'end', 'true'), edge('e5', 'start', 'llm_3'), edge('e6', 'llm_3', 'end')],
    };
    const id = await createScenario('问题很多的草稿', graph);
    await page.goto(`${server.url}/#/s/${id}`);
    await page.getByTestId('node-llm_1').waitFor();
    const problems = page.getByTestId('problem');
    await expect.poll(() => problems.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    // The text of each problem without its node id and field (those stay as typed).
    const texts = await problems.evaluateAll((rows) =>
      rows.map((row) => {
        const copy = row.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('code').forEach((c) => c.remove());
        return (copy.textContent ?? '').trim();
      }),
    );
    expect(texts.join('\n')).toContain('提示词是空的');
    expect(texts.join('\n')).toContain('“大于等于”比较的是数字，但左值的类型是文本');
    expect(texts.join('\n')).toContain('不能大于 32768');
    expect(texts.join('\n')).toContain('没有 ID 为“nosuch”的节点');
    expect(texts.join('\n')).toContain('没有连线');
    for (const text of texts) {
      expect(text, text).toMatch(/[\u4e00-\u9fa5]/);
      expect(englishSentences(text), text).toEqual([]);
    }
    // The node's tooltip reads the same.
    await page.getByTestId('fit-view').click();
    // fit-view animates the canvas: a hover while the node still moves can end beside it, so hover
    // again (from elsewhere) until the tooltip shows.
    const head = page.getByTestId('node-llm_1').locator('.mf-node-head');
    const tooltip = page.getByRole('tooltip').filter({ hasText: '提示词是空的' });
    await expect
      .poll(
        async () => {
          await page.mouse.move(5, 5);
          await head.hover();
          return tooltip.waitFor({ timeout: 2000 }).then(
            () => true,
            () => false,
          );
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(englishSentences((await tooltip.textContent()) ?? '')).toEqual([]);
    await page.screenshot({ path: screenshotPath('screenshot-problems-zh.png') });
  });

  it('a failing run says what failed in Chinese in the run panel and the node trace, the English detail kept apart', async () => {
    const graph = {
      schema: 'mofang.graph/v1',
      name: '会失败的运行',
      nodes: [
        node('start', 'start', { inputs: [] }, 0),
        node('code_1', 'code', { ...code.defaults(), inputs: [], code: 'function main(inputs) {\n  throw new Error("boom in the script");\n}\n' }, 250),
        node('end', 'end', { outputs: [{ name: 'length', type: 'integer', value: '{{ code_1.length }}', required: true }] }, 500),
      ],
      edges: [edge('e1', 'start', 'code_1'), edge('e2', 'code_1', 'end')],
    };
    const id = await createScenario('会失败的运行', graph);
    await page.goto(`${server.url}/#/s/${id}`);
    await page.getByTestId('node-code_1').waitFor();
    await expect.poll(() => page.getByTestId('problem').count(), { timeout: 15_000 }).toBe(0);
    await page.getByTestId('open-run').click();
    await page.getByTestId('run-button').click();
    const runError = page.getByTestId('run-error');
    await runError.waitFor({ timeout: 30_000 });
    const headline = (await runError.getByTestId('run-error-text').textContent()) ?? '';
    expect(headline).toBe('代码执行失败：代码第 2 行出错');
    expect(englishSentences(headline)).toEqual([]);
    // The engine's own words stay available, apart and marked as such.
    await expect(runError.textContent()).resolves.toContain('原始信息');
    await page.getByTestId('node-code_1').locator('.mf-node-head').click();
    const trace = page.getByTestId('node-trace');
    await trace.waitFor();
    const nodeError = (await trace.getByTestId('run-error-text').first().textContent()) ?? '';
    expect(nodeError).toBe('代码执行失败：代码第 2 行出错');
    await page.screenshot({ path: screenshotPath('screenshot-run-error-zh.png') });
    expect(browser.errors).toEqual([]);
  });

  it('importing a file that is not JSON names the file in Chinese, not the browser parser words', async () => {
    const id = await createScenario('导入测试', { schema: 'mofang.graph/v1', name: '导入测试', nodes: [node('start', 'start', start.defaults(), 0), node('end', 'end', end.defaults(), 300)], edges: [edge('e1', 'start', 'end')] });
    await page.goto(`${server.url}/#/s/${id}`);
    await page.getByTestId('import').waitFor();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('import').click()]);
    await chooser.setFiles({ name: '通话记录.txt', mimeType: 'text/plain', buffer: Buffer.from('坐席：您好\n客户：宽带断了') });
    const toast = page.locator('.ant-message-notice').filter({ hasText: '通话记录.txt' });
    await toast.waitFor();
    const text = (await toast.textContent()) ?? '';
    expect(text).toContain('“通话记录.txt”不是 JSON 文件');
    expect(englishSentences(text), text).toEqual([]);
    expect(text).not.toMatch(/Unexpected|token|JSON\.parse/);
  });
});
