import { afterEach, describe, expect, it } from 'vitest';
import { openStoreFile, type Store } from '../storage/db.js';
import { modelEndpoints } from '../storage/schema.js';
import { startMockOpenAI, type MockOpenAI } from '../model/mock-openai.testing.js';
import { modelConfigFromEnv } from '../model/registry.js';
import { SecretBox } from './secret-box.js';
import { EndpointService } from './service.js';
import { CreateEndpointBodySchema } from '@shared/model-endpoints.js';

const stores: Store[] = [];
const services: EndpointService[] = [];
const mocks: MockOpenAI[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const s of stores.splice(0)) s.close();
  for (const m of mocks.splice(0)) await m.close();
});

const box = new SecretBox(Buffer.alloc(32, 1));
const simulatorEnv = modelConfigFromEnv({});

function open(env = simulatorEnv, secrets = box, store?: Store) {
  const s = store ?? openStoreFile(':memory:');
  if (!store) stores.push(s);
  const service = new EndpointService(s.db, secrets, env);
  services.push(service);
  return { store: s, service };
}

const body = (over: Record<string, unknown> = {}) => CreateEndpointBodySchema.parse({ name: 'qwen-hotline', base_url: 'http://10.0.0.5:8000/v1', api_key: 'sk-live-abcdef123456', models: { default: 'qwen2.5-72b', fast: 'qwen2.5-7b' }, ...over });

describe('model endpoints', () => {
  it('stores the key sealed, shows only its last four characters, and replaces the simulator', () => {
    const { store, service } = open();
    expect(service.list().endpoints.map((e) => e.source)).toEqual(['simulator']);
    const row = service.create(body());
    service.reload();
    const raw = store.db.select().from(modelEndpoints).all();
    expect(raw[0].apiKey).not.toContain('sk-live');
    expect(JSON.stringify(service.list())).not.toContain('sk-live-abcdef');
    const listed = service.get(row.id);
    expect(listed).toMatchObject({ source: 'db', api_key: { set: true, last4: '3456' }, active: true, problem: null });
    expect(service.list().endpoints.map((e) => e.source)).toEqual(['db']);
    expect(service.aliases().map((a) => `${a.alias}@${a.endpoint}`)).toEqual(['default@qwen-hotline', 'fast@qwen-hotline']);
    expect(service.models.resolve('fast').model).toBe('qwen2.5-7b');
  });

  it('applies changes and removals to the resolver; keeps or clears the key as told', () => {
    const { service } = open();
    const row = service.create(body());
    const other = service.create(body({ name: 'telechat', api_key: undefined, models: { audit: 'telechat2-35b' } }));
    service.reload();
    expect(service.aliases().map((a) => a.alias)).toEqual(['default', 'fast', 'audit']);
    service.update(row.id, { models: { default: 'qwen2.5-72b' } });
    service.reload();
    expect(service.get(row.id).api_key.set).toBe(true);
    expect(service.aliases().map((a) => a.alias)).toEqual(['default', 'audit']);
    service.update(row.id, { api_key: '' });
    expect(service.get(row.id).api_key).toEqual({ set: false, last4: null });
    service.update(other.id, { enabled: false });
    service.reload();
    expect(service.aliases().map((a) => a.alias)).toEqual(['default']);
    expect(service.get(other.id)).toMatchObject({ enabled: false, active: false });
    service.remove(row.id);
    service.remove(other.id);
    service.reload();
    expect(service.aliases()).toEqual([expect.objectContaining({ alias: 'default', simulator: true })]);
    expect(() => service.remove(row.id)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('lists the environment endpoint read-only and refuses its name', () => {
    const env = modelConfigFromEnv({ MOFANG_MODEL_BASE_URL: 'http://u:pw@10.0.0.9:8000/v1', MOFANG_MODEL: 'telechat2', MOFANG_MODEL_API_KEY: 'sk-env-0000009999' });
    const { service } = open(env);
    const [shown] = service.list().endpoints;
    expect(shown).toMatchObject({ id: 'env', source: 'env', base_url: 'http://10.0.0.9:8000/v1', api_key: { set: true, last4: '9999' } });
    expect(() => service.update('env', { enabled: false })).toThrow(expect.objectContaining({ code: 'read_only' }));
    expect(() => service.remove('env')).toThrow(expect.objectContaining({ code: 'read_only' }));
    expect(() => service.create(body({ name: shown.name }))).toThrow(expect.objectContaining({ code: 'name_taken' }));
    service.create(body({ models: { default: 'other', fast: 'qwen2.5-7b' } }));
    service.reload();
    // The environment's endpoint answers `default` first; the stored one adds `fast`.
    expect(service.aliases().map((a) => `${a.alias}@${a.endpoint}`)).toEqual([`default@${shown.name}`, 'fast@qwen-hotline']);
  });

  it('leaves out an endpoint whose key does not open with this secret key, and says why', () => {
    const first = open();
    const row = first.service.create(body());
    const { service } = open(simulatorEnv, new SecretBox(Buffer.alloc(32, 2)), first.store);
    expect(service.get(row.id)).toMatchObject({ active: false, problem: 'secret_key_mismatch' });
    expect(service.aliases().every((a) => a.simulator)).toBe(true);
  });

  it('tests the connection with a real call: reply, model and latency, or the error code', async () => {
    const mock = await startMockOpenAI();
    mocks.push(mock);
    const { service } = open();
    const row = service.create(body({ base_url: mock.url }));
    mock.replies = [{ id: 'c', object: 'chat.completion', created: 1, model: 'qwen2.5-72b', choices: [{ index: 0, message: { role: 'assistant', content: 'OK' }, finish_reason: 'stop' }] }];
    const ok = await service.test(row.id);
    expect(ok).toMatchObject({ ok: true, reply: 'OK', model: 'qwen2.5-72b', alias: 'default' });
    expect(ok.latency_ms).toBeGreaterThanOrEqual(0);
    expect(mock.requests[0]).toMatchObject({ model: 'qwen2.5-72b', stream: true });
    mock.failWith = 401;
    expect(await service.test(row.id, 'fast')).toMatchObject({ ok: false, alias: 'fast', error: { code: 'unauthorized' } });
    expect(await service.test(row.id, 'nope')).toMatchObject({ ok: false, error: { code: 'no_model' } });
    await expect(service.test('missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
