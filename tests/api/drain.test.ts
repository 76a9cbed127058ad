/**
 * Graceful shutdown over real HTTP: the real `mofang start` process with a slow simulator (first token
 * after 2.5 s). A `/v1` run, a streaming run and a live session's event stream are open, and a batch
 * job's items are being run, when the process gets SIGTERM: `/api/ready` answers 503 `draining` on a
 * load balancer's kept-alive connection, a new connection is refused, the follower stream ends at once,
 * both runs and the job's items finish, their rows are in the store (the run log's write-behind was
 * flushed), and the process exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { CreatedKeySchema } from '@shared/keys.js';
import { JobCreatedSchema } from '@shared/jobs.js';
import { V1SessionCreatedSchema } from '@shared/sessions.js';
import { V1RunResultSchema } from '@shared/v1.js';
import { noServices } from '../../server/src/engine/testing.js';
import { publishDraft } from '../../server/src/publish/publish.js';
import { rawRows } from '../../server/src/storage/dialect-sql.js';
import { openTestStore, storeEnv } from './test-store.js';
import { createScenario } from '../../server/src/storage/scenarios.js';
import { call, echoGraph, parseSse, removeDir, signInAdmin, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir('mofang-drain-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeDir(dir);
});

/** Spawns `mofang start`; resolves with its URL, the exit code to come and everything it printed so far. */
async function startChild(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; output: () => string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(await storeEnv(dir)),
    PORT: process.env.MOFANG_TEST_PORT ?? '0',
    HOST: '127.0.0.1',
    MOFANG_DATA_DIR: dir,
    MOFANG_SIM_TTFT_MS: '2500',
    MOFANG_SIM_PER_TOKEN_MS: '1',
    MOFANG_SIM_LOAD_FACTOR: '0',
    MOFANG_DRAIN_TIMEOUT_MS: '20000',
  };
  delete env.MOFANG_MODEL_BASE_URL;
  const child = spawn(process.execPath, ['bin/mofang.mjs', 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stderr?.on('data', (c: Buffer) => void (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Mofang on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1], exited, output: () => out });
    });
    void exited.then((code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

/** A GET through `agent` (a load balancer's kept-alive connection; `false`: a new connection): status and parsed body. */
function getVia(agent: http.Agent | false, url: string): Promise<{ status: number; json: unknown; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(body), connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}

describe('SIGTERM drains, then exits 0', () => {
  it('lets in-flight runs finish while ready says draining and follower streams end', async () => {
    const store = await openTestStore(dir);
    const scenario = await createScenario(store, { name: 'echo', graph: echoGraph() });
    await publishDraft(store, noServices, scenario.id, { slug: 'echo' });
    await store.close();

    const server = await startChild();
    await signInAdmin(server.url);
    const created = await call(server.url, 'POST', '/api/keys', { name: 'drain' });
    expect(created.status).toBe(201);
    const auth = { authorization: `Bearer ${CreatedKeySchema.parse(created.json).key}`, 'content-type': 'application/json' };

    // The load balancer's probe connection, kept alive between probes.
    const probe = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await getVia(probe, `${server.url}/api/ready`)).toMatchObject({ status: 200, json: { ready: true } });

    // A live session's event stream: a follower, ended by the drain so its client resumes elsewhere.
    const opened = await fetch(`${server.url}/v1/scenarios/echo/sessions`, { method: 'POST', headers: auth, body: '{}' });
    expect(opened.status).toBe(201);
    const { session_id } = V1SessionCreatedSchema.parse(await opened.json());
    const follower = await fetch(`${server.url}/v1/sessions/${session_id}/events`, { headers: auth });
    expect(follower.status).toBe(200);
    const followerText = follower.text().then((text) => ({ text, at: Date.now() }));

    const body = JSON.stringify({ inputs: { transcript: '客户：宽带断了三天了' } });
    const started = Date.now();
    const run = fetch(`${server.url}/v1/scenarios/echo/run`, { method: 'POST', headers: auth, body }).then(async (r) => ({ status: r.status, json: V1RunResultSchema.parse(await r.json()), at: Date.now() }));
    const stream = fetch(`${server.url}/v1/scenarios/echo/run/stream`, { method: 'POST', headers: { ...auth, accept: 'text/event-stream' }, body }).then(async (r) => ({ status: r.status, events: parseSse(await r.text()) }));
    await new Promise((r) => setTimeout(r, 800));
    // A batch job whose items start after the runs (so they end after them too) and run when the signal comes.
    const job = await call(server.url, 'POST', `/api/scenarios/${scenario.id}/jobs`, { items: ['a', 'b', 'c'].map((id) => ({ id, inputs: { transcript: `客户：${id}` } })) });
    expect(job.status).toBe(202);
    const { job_id } = JobCreatedSchema.parse(job.json);
    await new Promise((r) => setTimeout(r, 300));

    server.child.kill('SIGTERM');
    await expect.poll(() => server.output(), { timeout: 5_000 }).toContain('SIGTERM, draining');

    // Ready says draining on the kept-alive connection and asks to close it; a new connection is refused.
    const ready = await getVia(probe, `${server.url}/api/ready`);
    expect(ready).toMatchObject({ status: 503, json: { error: { code: 'draining' } }, connection: 'close' });
    await expect(getVia(false, `${server.url}/api/health`)).rejects.toThrow(/ECONNREFUSED/);

    // The follower's stream ended before the runs did; both runs finished with their results.
    const ran = await run;
    const followed = await followerText;
    expect(followed.at).toBeLessThan(ran.at);
    expect(ran.status).toBe(200);
    expect(ran.json.status).toBe('succeeded');
    expect(ran.json.outputs.reply).toBeTruthy();
    expect(ran.at - started).toBeGreaterThanOrEqual(2_000);
    const streamed = await stream;
    expect(streamed.status).toBe(200);
    // The stream ran to its last event (sent after the drain began).
    expect(streamed.events.at(-1)?.event).toBe('run.finished');

    expect(await server.exited).toBe(0);
    probe.destroy();

    // The run log's write-behind reached the store before it closed.
    const after = await openTestStore(dir);
    try {
      const [row] = await rawRows(after, sql`select status from runs where id = ${ran.json.run_id}`);
      expect(row).toEqual({ status: 'succeeded' });
      // The job items in flight finished (none left running for the next start) and the job with them.
      expect(await rawRows(after, sql`select status from job_items where job_id = ${job_id}`)).toEqual([{ status: 'succeeded' }, { status: 'succeeded' }, { status: 'succeeded' }]);
      expect((await rawRows(after, sql`select status from jobs where id = ${job_id}`))[0]).toEqual({ status: 'completed' });
    } finally {
      await after.close();
    }
  }, 60_000);
});
