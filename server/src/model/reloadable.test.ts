import { afterEach, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAI } from './mock-openai.testing.js';
import { ReloadableModels } from './reloadable.js';
import type { ModelConfig } from './registry.js';

const mocks: MockOpenAI[] = [];
afterEach(async () => {
  for (const mock of mocks.splice(0)) await mock.close();
});

const reply = (content: string) => ({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
const ask = { messages: [{ role: 'user' as const, content: 'hi' }], model: 'm' };

describe('the reloadable resolver', () => {
  it('applies a new configuration to calls resolved after it, keeps unchanged clients, and closes replaced ones after their calls', async () => {
    const a = await startMockOpenAI();
    const b = await startMockOpenAI();
    mocks.push(a, b);
    const first: ModelConfig = { default: 'a', endpoints: [{ name: 'a', baseUrl: a.url, models: { default: 'qwen' }, stream: false }] };
    const models = new ReloadableModels(first);
    try {
      expect(models.aliases().map((x) => x.alias)).toEqual(['default']);
      const before = models.resolve('default').client;
      // A call under way when the configuration changes.
      a.delayMs = 300;
      a.replies = [reply('旧端点的回答')];
      const pending = before.chat(ask);
      await new Promise((resolve) => setTimeout(resolve, 50));

      models.reload({ default: 'a', endpoints: [{ name: 'a', baseUrl: a.url, models: { default: 'qwen' }, stream: false, timeoutMs: 5000 }, { name: 'b', baseUrl: b.url, models: { fast: 'qwen-7b' }, stream: false }] });
      expect(models.aliases().map((x) => `${x.alias}@${x.endpoint}`)).toEqual(['default@a', 'fast@b']);
      const after = models.resolve('default').client;
      expect(after).not.toBe(before);
      expect(models.clients()).toContain(before);
      await expect(pending).resolves.toMatchObject({ text: '旧端点的回答' });
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(models.clients()).not.toContain(before);

      // Only the aliases changed: the client (and its learned limit) stays.
      const fast = models.resolve('fast').client;
      models.reload({ default: 'a', endpoints: [{ name: 'a', baseUrl: a.url, models: { default: 'qwen' }, stream: false, timeoutMs: 5000 }, { name: 'b', baseUrl: b.url, models: { fast: 'qwen-7b', audit: 'qwen-7b' }, stream: false }] });
      expect(models.resolve('audit').client).toBe(fast);
      expect(() => models.reload({ default: 'x', endpoints: [] })).toThrow(/no endpoint/);
      expect(models.resolve('fast').client).toBe(fast);
    } finally {
      await models.close();
    }
  });

  it('keeps health per endpoint: error rate, last error, last success', async () => {
    const a = await startMockOpenAI();
    mocks.push(a);
    const models = new ReloadableModels({ default: 'a', endpoints: [{ name: 'a', baseUrl: a.url, models: { default: 'qwen' }, stream: false }] });
    try {
      const client = models.resolve('default').client;
      a.replies = [reply('好')];
      await client.chat(ask);
      a.failWith = 503;
      await expect(client.chat(ask)).rejects.toMatchObject({ code: 'server_error' });
      const health = models.clientOf('a')?.health.snapshot();
      expect(health).toMatchObject({ recentCalls: 2, errorRate: 0.5, lastError: { code: 'server_error' } });
      expect(health?.lastSuccessAt).toBeGreaterThan(0);
    } finally {
      await models.close();
    }
  });
});
