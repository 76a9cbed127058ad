/**
 * Running one node alone over real HTTP: its inputs come from the last test run's trace, nothing is
 * stored, and the refusals (no run yet, upstream not run, start node, unknown node, viewer) are clear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunSummarySchema, ScenarioSchema } from '@shared/api.js';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { RunNodeResultSchema } from '@shared/run-node.js';
import { call, echoGraph, removeDir, signInAs, startTestServer, tempDir, type TestServer } from './helpers.js';

let dir: string;
let server: TestServer;
let scenarioId: string;
const api = (method: string, url: string, body?: unknown) => call(server.url, method, url, body);
const inputs = { transcript: '坐席：您好，请问有什么可以帮您？\n客户：我的宽带断了。' };

/** start → llm_1 → tpl (a template over the model's text and the start input) → end. */
function chainGraph(): Graph {
  const echo = echoGraph('chain');
  return {
    ...echo,
    schema: GRAPH_FORMAT,
    nodes: [
      ...echo.nodes.filter((n) => n.id !== 'end'),
      { id: 'tpl', kind: 'template', version: 1, position: { x: 450, y: 0 }, config: { template: '答复：{{ llm_1.text }}' } },
      { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: [{ name: 'reply', value: '{{ tpl.text }}' }] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'llm_1', targetPort: 'in' },
      { id: 'e2', source: 'llm_1', sourcePort: 'out', target: 'tpl', targetPort: 'in' },
      { id: 'e3', source: 'tpl', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

beforeAll(async () => {
  dir = tempDir('mofang-run-node-');
  server = await startTestServer(dir);
  scenarioId = ScenarioSchema.parse((await api('POST', '/api/scenarios', { name: 'chain', graph: chainGraph() })).json).id;
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

describe('POST /api/scenarios/:id/run-node', () => {
  it('says there is no last run before the first test run (409 no_last_run)', async () => {
    const res = await api('POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'tpl' });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ error: { code: 'no_last_run' } });
  });

  it('runs only the node, with the outputs its upstream produced in the last test run', async () => {
    expect((await api('POST', `/api/scenarios/${scenarioId}/test-run`, { inputs })).status).toBe(200);
    const [last] = z.array(RunSummarySchema).parse((await api('GET', `/api/scenarios/${scenarioId}/runs`)).json);
    const lastRun = (await api('GET', `/api/runs/${last.id}`)).json as { events: Array<{ type: string; node_id?: string; outputs?: { text?: string } }> };
    const llmText = lastRun.events.find((e) => e.type === 'node.finished' && e.node_id === 'llm_1')?.outputs?.text;
    expect(typeof llmText).toBe('string');

    const res = await api('POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'tpl' });
    expect(res.status).toBe(200);
    const result = RunNodeResultSchema.parse(res.json);
    expect(result).toMatchObject({ status: 'succeeded', source_run_id: last.id, node_id: 'tpl', simulated: false });
    expect(result.node).toMatchObject({ node_id: 'tpl', status: 'finished', outputs: { text: `答复：${llmText}` } });
    // Only the node ran: no model call (the llm node's text came from the trace), no end.
    expect(result.usage.model_calls).toBe(0);
    expect(result.events.map((e) => e.type)).toEqual(['node.started', 'node.finished']);
    // Nothing was stored: the history still holds the one test run.
    expect(z.array(RunSummarySchema).parse((await api('GET', `/api/scenarios/${scenarioId}/runs`)).json)).toHaveLength(1);
  });

  it('runs a model node alone with the start outputs of the last run, and says the simulator answered', async () => {
    const result = RunNodeResultSchema.parse((await api('POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'llm_1' })).json);
    expect(result).toMatchObject({ status: 'succeeded', simulated: true, usage: { model_calls: 1 } });
    expect(result.node?.calls?.[0]?.messages.at(-1)?.content).toContain('我的宽带断了');
  });

  it('uses the unsaved graph sent with the request', async () => {
    const graph = chainGraph();
    const tpl = graph.nodes.find((n) => n.id === 'tpl');
    if (tpl) tpl.config = { template: '新模板：{{ start.transcript.turns[1].text }}' };
    const result = RunNodeResultSchema.parse((await api('POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'tpl', graph })).json);
    expect(result.node?.outputs).toEqual({ text: '新模板：我的宽带断了。' });
  });

  it('refuses a node whose upstream the last run did not run, the start node, an unknown node and run', async () => {
    const graph = chainGraph();
    graph.nodes.push({ id: 'tpl_2', kind: 'template', version: 1, position: { x: 450, y: 200 }, config: { template: '{{ tpl.text }}' } });
    graph.nodes.push({ id: 'tpl_3', kind: 'template', version: 1, position: { x: 450, y: 300 }, config: { template: '{{ tpl_2.text }}' } });
    graph.edges = graph.edges.filter((e) => e.id !== 'e3');
    graph.edges.push(
      { id: 'e4', source: 'tpl', sourcePort: 'out', target: 'tpl_2', targetPort: 'in' },
      { id: 'e5', source: 'tpl_2', sourcePort: 'out', target: 'tpl_3', targetPort: 'in' },
      { id: 'e6', source: 'tpl_3', sourcePort: 'out', target: 'end', targetPort: 'in' },
    );
    const notRun = await api('POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'tpl_3', graph });
    expect(notRun.status).toBe(409);
    expect(notRun.json).toMatchObject({ error: { code: 'upstream_not_run', details: { missing: ['tpl_2'] } } });
    expect((await api('POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'start' })).json).toMatchObject({ error: { code: 'entry_node' } });
    expect((await api('POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'ghost' })).status).toBe(404);
    expect((await api('POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'tpl', run_id: 'nope' })).json).toMatchObject({ error: { code: 'run_not_found' } });
    expect((await api('POST', `/api/scenarios/nope/run-node`, { node_id: 'tpl' })).status).toBe(404);
  });

  it('needs the test permission (a viewer gets 403)', async () => {
    const viewer = await signInAs(server.url, 'viewer');
    const res = await call(server.url, 'POST', `/api/scenarios/${scenarioId}/run-node`, { node_id: 'tpl' }, {}, { as: viewer });
    expect(res.status).toBe(403);
  });
});
