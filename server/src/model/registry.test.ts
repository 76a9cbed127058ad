import { describe, expect, it } from 'vitest';
import { SimulatorClient } from '../simulator/client.js';
import { innerClient } from './limiter/limited-client.js';
import { OpenAICompatibleClient } from './openai-client.js';
import { SIMULATOR_HINT, createModelResolver, describeModels, modelConfigFromEnv } from './registry.js';

describe('model registry', () => {
  it('uses the in-process simulator when no base URL is set, tuned by MOFANG_SIM_*', () => {
    const config = modelConfigFromEnv({ MOFANG_SIM_TTFT_MS: '0', MOFANG_SIM_PER_TOKEN_MS: '0', MOFANG_SIM_ERROR_RATE: '0.1', MOFANG_SIM_JSON_SCHEMA: '0' });
    const resolver = createModelResolver(config);
    const { client, model } = resolver.resolve('default');
    expect(innerClient(client)).toBeInstanceOf(SimulatorClient);
    expect(model).toBe('mofang-simulator');
    expect(client.supportsJsonSchema).toBe(false);
    expect(describeModels(resolver)).toBe(SIMULATOR_HINT);
    expect(resolver.resolve('anything').client).toBe(client);
    expect(() => modelConfigFromEnv({ MOFANG_SIM_ERROR_RATE: '2' })).toThrow(/MOFANG_SIM_ERROR_RATE/);
  });

  it('reads a real endpoint from MOFANG_MODEL_*', () => {
    const config = modelConfigFromEnv({
      MOFANG_MODEL_BASE_URL: 'http://10.0.0.5:8000/v1',
      MOFANG_MODEL: 'qwen2.5-7b-instruct',
      MOFANG_MODEL_MAX_CONCURRENCY: '8',
      MOFANG_MODEL_TIMEOUT_MS: '30000',
      MOFANG_MODEL_JSON_SCHEMA: '0',
    });
    expect(config.endpoints[0]).toMatchObject({ baseUrl: 'http://10.0.0.5:8000/v1', maxConcurrency: 8, timeoutMs: 30000, supportsJsonSchema: false });
    const resolver = createModelResolver(config);
    const { client, model } = resolver.resolve('default');
    expect(innerClient(client)).toBeInstanceOf(OpenAICompatibleClient);
    expect(model).toBe('qwen2.5-7b-instruct');
    expect(describeModels(resolver)).toContain('qwen2.5-7b-instruct at http://10.0.0.5:8000/v1');
    expect(() => modelConfigFromEnv({ MOFANG_MODEL_BASE_URL: 'not a url', MOFANG_MODEL: 'x' })).toThrow(/MOFANG_MODEL_BASE_URL/);
    expect(() => modelConfigFromEnv({ MOFANG_MODEL_BASE_URL: 'http://h/v1' })).toThrow(/MOFANG_MODEL/);
    expect(() => modelConfigFromEnv({ MOFANG_MODEL_BASE_URL: 'http://h/v1', MOFANG_MODEL: 'x', MOFANG_MODEL_TIMEOUT_MS: '-1' })).toThrow(/TIMEOUT/);
  });

  it('resolves aliases across endpoints and falls back to the default model', () => {
    const resolver = createModelResolver({
      default: 'big',
      endpoints: [
        { name: 'small', baseUrl: 'http://small/v1', models: { fast: 'qwen-7b', default: 'qwen-14b' } },
        { name: 'big', baseUrl: 'http://big/v1', models: { default: 'qwen-72b' } },
      ],
    });
    expect(resolver.resolve('fast')).toMatchObject({ model: 'qwen-7b', client: { name: 'small' } });
    expect(resolver.resolve('default')).toMatchObject({ model: 'qwen-72b', client: { name: 'big' } });
    expect(resolver.resolve('unknown')).toMatchObject({ model: 'qwen-72b', client: { name: 'big' } });
    expect(resolver.resolve('fast').client).toBe(resolver.resolve('fast').client);
    expect(resolver.clients()).toHaveLength(2);
  });
});
