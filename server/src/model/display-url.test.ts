import { describe, expect, it } from 'vitest';
import { displayUrl, OpenAICompatibleClient } from './openai-client.js';
import { createModelResolver, describeModels, modelConfigFromEnv } from './registry.js';

describe('displayUrl', () => {
  it('drops a user name and password written into a base URL, and keeps everything else', () => {
    expect(displayUrl('http://svc:s3cret@10.20.30.40:8000/v1')).toBe('http://10.20.30.40:8000/v1');
    expect(displayUrl('https://token@models.example/v1')).toBe('https://models.example/v1');
    expect(displayUrl('http://10.0.0.5:8000/v1')).toBe('http://10.0.0.5:8000/v1');
    expect(displayUrl('not a url')).toBe('not a url');
  });

  it('no password reaches the client name (run results) or the model description (health, start-up log)', async () => {
    const client = new OpenAICompatibleClient({ baseUrl: 'http://svc:s3cret@127.0.0.1:9/v1' });
    expect(client.name).toBe('openai@http://127.0.0.1:9/v1');
    const resolver = createModelResolver(modelConfigFromEnv({ MOFANG_MODEL_BASE_URL: 'http://svc:s3cret@127.0.0.1:9/v1', MOFANG_MODEL: 'qwen-internal' }));
    expect(describeModels(resolver)).not.toContain('s3cret');
    expect(describeModels(resolver)).toContain('qwen-internal at http://127.0.0.1:9/v1');
  });
});
