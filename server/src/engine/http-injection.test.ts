import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeHttp } from '../services/safe-http.js';
import { ScriptedModel } from '../model/scripted.js';
import { compileGraph, runPlan } from './index.js';
import { lineGraph, noServices } from './testing.js';

/** What the echo server received. */
const received: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok": true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** start (note, phone) → http → end, the http node's config as given. */
function graph(httpConfig: Record<string, unknown>) {
  const g = lineGraph([{ id: 'call', kind: 'http', config: httpConfig }], [{ name: 'status', value: '{{ call.status }}' }]);
  g.nodes[0].config = { inputs: [{ name: 'note', type: 'string' }, { name: 'phone', type: 'string' }] };
  return g;
}

async function run(httpConfig: Record<string, unknown>, inputs: Record<string, unknown>) {
  const http = createSafeHttp({ allow: ['127.0.0.1/32'] });
  try {
    const compiled = compileGraph(graph(httpConfig));
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    return await runPlan(compiled.plan, inputs, { services: { ...noServices, http }, models: new ScriptedModel(() => 'unused').resolver() });
  } finally {
    await http.close();
  }
}

const NOTE = '客户说："hi", "refund": 5000, "x": "\n第二行 \\ 结束';

describe('the http node over the wire', () => {
  it('delivers a caller’s injection attempt as one JSON string value, sent as application/json', async () => {
    received.length = 0;
    const result = await run(
      { method: 'POST', url: `http://127.0.0.1:${port}/tickets`, query: [{ name: 'phone', value: '{{ start.phone }}' }], body: { mode: 'json', fields: [{ name: 'note', value: '{{ start.note }}' }, { name: 'phone', value: '{{ start.phone }}' }] } },
      { note: NOTE, phone: '138&admin=1' },
    );
    expect(result.status).toBe('succeeded');
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ note: NOTE, phone: '138&admin=1' });
    expect(new URL(request.url, 'http://x').searchParams.getAll('phone')).toEqual(['138&admin=1']);
    expect(new URL(request.url, 'http://x').searchParams.has('admin')).toBe(false);
  });

  it('does the same for a graph saved with the old template body', async () => {
    received.length = 0;
    const result = await run({ method: 'POST', url: `http://127.0.0.1:${port}/tickets?phone={{ start.phone }}`, body: '{"note": "{{ start.note }}", "source": "ivr"}' }, { note: NOTE, phone: '138&admin=1' });
    expect(result.status).toBe('succeeded');
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(received[0].body)).toEqual({ note: NOTE, source: 'ivr' });
    expect(new URL(received[0].url, 'http://x').searchParams.getAll('phone')).toEqual(['138&admin=1']);
  });
});
