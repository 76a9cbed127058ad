import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunSummarySchema, ScenarioSchema } from '@shared/api.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { call, echoGraph, removeDir, startTestServer, tempDir, authHeaders } from './helpers.js';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = tempDir();
  // A slow model, so the run is still going when the client leaves.
  server = await startTestServer(dir, { MOFANG_SIM_TTFT_MS: '10000' });
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

describe('client disconnect', () => {
  it.each(['application/json', 'text/event-stream'])('cancels the run when a %s client goes away, and records it as failed', async (accept) => {
    const created = await call(server.url, 'POST', '/api/scenarios', { name: `slow ${accept}`, graph: echoGraph() });
    const id = ScenarioSchema.parse(created.json).id;
    const controller = new AbortController();
    const request = fetch(`${server.url}/api/scenarios/${id}/test-run`, {
      method: 'POST',
      headers: { ...authHeaders(server.url), 'content-type': 'application/json', accept },
      body: JSON.stringify({ inputs: { transcript: '客户：你好' } }),
      signal: controller.signal,
    }).then((res) => res.text());
    setTimeout(() => controller.abort(), 300);
    await expect(request).rejects.toThrow();
    const started = Date.now();
    let runs: z.infer<typeof RunSummarySchema>[] = [];
    while (Date.now() - started < 5000) {
      runs = z.array(RunSummarySchema).parse((await call(server.url, 'GET', `/api/scenarios/${id}/runs`)).json);
      if (runs[0]?.status !== undefined && runs[0].status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
