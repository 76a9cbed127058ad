/**
 * Issue 10, deliverable 1: node outputs are held to the JSON limits whatever node made them. The
 * code node's sandbox checks its own result first, so these are the other two sources the engine's
 * check stands in front of: an http node's parsed reply (from a real local server) and a model's reply.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeHttp } from '../services/safe-http.js';
import { ScriptedModel } from '../model/scripted.js';
import { compileGraph, runPlan } from './index.js';
import { lineGraph, noServices } from './testing.js';

const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

let server: Server;
let port = 0;
let reply = '{}';

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function run(node: { id: string; kind: string; config: Record<string, unknown> }, model = new ScriptedModel(() => 'ok')) {
  const http = createSafeHttp({ allow: ['127.0.0.1/32'] });
  try {
    const compiled = compileGraph(lineGraph([node], [{ name: 'done', value: 'yes' }]));
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    return await runPlan(compiled.plan, { transcript: '客户：你好' }, { services: { ...noServices, http }, models: model.resolver() });
  } finally {
    await http.close();
  }
}

describe('node outputs past the JSON limits fail their node, naming the limit and its setting', () => {
  it.each([100, 20_000])('an http reply nested %i deep', async (levels) => {
    reply = deep(levels);
    const result = await run({ id: 'call', kind: 'http', config: { method: 'GET', url: `http://127.0.0.1:${port}/deep`, responseType: 'json' } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ nodeId: 'call', details: { node_error: 'too_deep', info: { setting: 'MOFANG_MAX_JSON_DEPTH' } } });
    expect(result.error?.message).toContain('MOFANG_MAX_JSON_DEPTH');
    // Within the limit the same node succeeds.
    reply = deep(10);
    expect((await run({ id: 'call', kind: 'http', config: { method: 'GET', url: `http://127.0.0.1:${port}/ok`, responseType: 'json' } })).status).toBe('succeeded');
  });

  it('a model reply longer than MOFANG_MAX_STRING_CHARS', async () => {
    const model = new ScriptedModel(() => '长'.repeat(2_000_001));
    const result = await run({ id: 'ask', kind: 'llm', config: { system: 's', user: '{{ start.transcript.text }}' } }, model);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ nodeId: 'ask', details: { node_error: 'string_too_long', info: { setting: 'MOFANG_MAX_STRING_CHARS' } } });
    expect(result.error?.message).toContain('MOFANG_MAX_STRING_CHARS');
  });
});
