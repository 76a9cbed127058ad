import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '@shared/graph.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { call, removeDir, startTestServer, tempDir } from './helpers.js';

let dir: string;
let server: RunningServer;
const api = (method: string, url: string, body?: unknown) => call(server.url, method, url, body);

/** start → a template node → end, the template as given. */
function templateGraph(template: string): Graph {
  return {
    schema: 'mofang.graph/v1',
    name: 'hostile',
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript' }] } },
      { id: 'tpl', kind: 'template', version: 1, position: { x: 200, y: 0 }, config: { template } },
      { id: 'end', kind: 'end', version: 1, position: { x: 400, y: 0 }, config: { outputs: [{ name: 'text', value: '{{ tpl.text }}' }] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'tpl', targetPort: 'in' },
      { id: 'e2', source: 'tpl', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

async function scenario(template: string): Promise<string> {
  const created = await api('POST', '/api/scenarios', { name: 'hostile', graph: templateGraph(template) });
  expect(created.status).toBe(201);
  return (created.json as { id: string }).id;
}

/** Runs `work` while asking /api/health every 10 ms; returns its result and the slowest answer, ms. */
async function whilePinging<T>(work: () => Promise<T>): Promise<{ result: T; slowest: number }> {
  let slowest = 0;
  let running = true;
  const pinger = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${server.url}/api/health`);
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    return { result: await work(), slowest };
  } finally {
    running = false;
    await pinger;
  }
}

beforeAll(async () => {
  dir = tempDir();
  // The setting travels from the environment to every compiled plan.
  server = await startTestServer(dir, { MOFANG_TEMPLATE_RENDER_MS: '60' });
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

describe('hostile templates over the API', () => {
  it('refuses {% include %} and friends at compile, and no run reads a file', async () => {
    for (const template of ["{% include 'package.json' %}", '{% include start.transcript.text %}', "{% render 'data/mofang.db' %}", "{% layout 'package.json' %}"]) {
      const compiled = await api('POST', '/api/compile', templateGraph(template));
      expect(compiled.status, template).toBe(200);
      expect(compiled.json).toMatchObject({ ok: false, errors: [expect.objectContaining({ nodeId: 'tpl', field: 'template', code: 'template_file_access' })] });
      const id = await scenario(template);
      const run = await api('POST', `/api/scenarios/${id}/test-run`, { inputs: { transcript: 'package.json' } });
      expect(run.status, template).toBe(422);
      expect(JSON.stringify(run.json)).not.toContain('"mofang"');
    }
  });

  it('fails the runaway loop of the report at once, naming the limit and its setting', async () => {
    const id = await scenario('{% for i in (1..100000000) %}{{ i }}{% endfor %}');
    const { result: run, slowest } = await whilePinging(() => api('POST', `/api/scenarios/${id}/test-run`, { inputs: { transcript: '客户：你好' } }));
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ status: 'failed', error: { nodeId: 'tpl', details: { node_error: 'template_limit', info: { limit: 'memory', setting: 'MOFANG_TEMPLATE_MEMORY' } } } });
    expect(slowest).toBeLessThan(1000);
  });

  it('stops a loop of loops at MOFANG_TEMPLATE_RENDER_MS, other requests answered meanwhile', async () => {
    const id = await scenario('{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}');
    const { result: run, slowest } = await whilePinging(() => api('POST', `/api/scenarios/${id}/test-run`, { inputs: { transcript: '客户：你好' } }));
    expect(run.json).toMatchObject({ status: 'failed', error: { nodeId: 'tpl', details: { node_error: 'template_limit', info: { limit: 'renderMs', value: 60, setting: 'MOFANG_TEMPLATE_RENDER_MS' } } } });
    expect((run.json as { error: { message: string } }).error.message).toContain('MOFANG_TEMPLATE_RENDER_MS');
    // A billion steps without the limit; with it, health waits about one render limit (loose for a loaded machine).
    expect(slowest).toBeLessThan(1000);
  });
});
