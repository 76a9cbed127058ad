/**
 * `mofang run` and `mofang compile` resolve model aliases through the endpoints stored in the data
 * directory (added in the admin UI), as the server does: a mock OpenAI server answers the stored alias.
 */
import { sqliteOnly } from './test-store.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompileReplySchema, RunResultSchema } from '@shared/api.js';
import { openSecretBox } from '../../server/src/endpoints/secret-box.js';
import { EndpointService } from '../../server/src/endpoints/service.js';
import { startMockOpenAI, type MockOpenAI } from '../../server/src/model/mock-openai.testing.js';
import { loadConfig } from '../../server/src/config.js';
import { openStore } from '../../server/src/storage/db.js';
import { dataStoreOf } from '../../server/src/storage/store.js';
import { mofang as runMofang } from './cli-helpers.js';
import { echoGraph, removeDir, SIM_ENV, tempDir } from './helpers.js';

let dir: string;
let dataDir: string;
let mock: MockOpenAI;

const completion = (content: string) => ({ id: 'c', object: 'chat.completion', created: 1, model: 'qwen2.5-7b-instruct', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });

/** The echo graph with its model node on `alias`. */
function graphFile(name: string, alias: string): string {
  const graph = echoGraph(name);
  const llm = graph.nodes.find((n) => n.id === 'llm_1')!;
  llm.config = { ...(llm.config as Record<string, unknown>), model: alias };
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(graph));
  return file;
}

beforeAll(async () => {
  dir = tempDir('mofang-cli-endpoints-');
  dataDir = path.join(dir, 'data');
  mock = await startMockOpenAI();
  // An admin stored this endpoint in the UI: the store and its secret.key are in the data directory.
  const store = openStore(dataDir);
  const service = await EndpointService.open(dataStoreOf(store.db), openSecretBox({ dataDir }), loadConfig({ ...SIM_ENV, MOFANG_DATA_DIR: dataDir }).model);
  await service.create({ name: 'qwen-hotline', base_url: mock.url, api_key: 'sk-stored-4411', models: { default: 'qwen2.5-72b-instruct', audit: 'qwen2.5-audit' }, max_concurrency: null, timeout_ms: null, supports_json_schema: true, stream: false, enabled: true });
  await service.close();
  store.close();
});
afterAll(async () => {
  await mock?.close();
  if (dir) removeDir(dir);
});

// Reads the endpoints the SQLite data directory holds; the CLI on PostgreSQL is covered by config and CLI store tests.
describe.skipIf(sqliteOnly)('mofang CLI with stored model endpoints', () => {
  it('run: the stored endpoint answers the alias the node names', async () => {
    mock.replies = [completion('已为您登记报修')];
    const r = await runMofang(['run', graphFile('audit', 'audit'), '--inputs', JSON.stringify({ transcript: '坐席：您好\n客户：宽带断了' })], { ...SIM_ENV, MOFANG_DATA_DIR: dataDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = RunResultSchema.parse(JSON.parse(r.stdout));
    expect(result.outputs).toEqual({ reply: '已为您登记报修' });
    expect(mock.requests.at(-1)).toMatchObject({ model: 'qwen2.5-audit' });
  });

  it('compile: an alias no stored endpoint serves is a problem on the node; a served one compiles', async () => {
    const env = { ...SIM_ENV, MOFANG_DATA_DIR: dataDir };
    const bad = await runMofang(['compile', graphFile('nope', 'nope')], env);
    expect(bad.code).toBe(1);
    const problems = CompileReplySchema.parse(JSON.parse(bad.stdout)).errors;
    expect(problems).toEqual([expect.objectContaining({ nodeId: 'llm_1', code: 'unknown_model_alias', params: { alias: 'nope' } })]);
    const good = await runMofang(['compile', graphFile('served', 'audit')], env);
    expect(good.code).toBe(0);
  });

  it('without a data directory the simulator answers and aliases are not checked', async () => {
    const env = { ...SIM_ENV, MOFANG_DATA_DIR: path.join(dir, 'absent') };
    const r = await runMofang(['run', graphFile('sim', 'default'), '--inputs', JSON.stringify({ transcript: '坐席：您好' })], env);
    expect(r.code).toBe(0);
    expect(RunResultSchema.parse(JSON.parse(r.stdout)).simulated).toBe(true);
    expect((await runMofang(['compile', graphFile('sim-any', 'nope')], env)).code).toBe(0);
  });
});
