/**
 * Durability: the server as a child process with a slow in-process simulator; a job is submitted, the
 * process is killed with SIGKILL midway and restarted on the same data dir; the job completes with
 * every item exactly once.
 */
import { sqliteOnly } from './test-store.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JobCreatedSchema, JobProgressSchema } from '@shared/jobs.js';
import { noServices } from '../../server/src/engine/testing.js';
import { publishDraft } from '../../server/src/publish/publish.js';
import { dataStoreOf } from '../../server/src/storage/store.js';
import { openStore } from '../../server/src/storage/db.js';
import { createScenario } from '../../server/src/storage/scenarios.js';
import { call, removeDir, signInAdmin, tempDir } from './helpers.js';
import { auditGraph, resultLines, sampleItems, waitForJob } from './jobs-helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir('mofang-jobs-kill-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeDir(dir);
});

function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dir, MOFANG_SIM_TTFT_MS: '200', MOFANG_SIM_PER_TOKEN_MS: '1', MOFANG_SIM_CAPACITY: '4' };
  delete env.MOFANG_MODEL_BASE_URL;
  const child = spawn(process.execPath, ['bin/mofang.mjs', 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Mofang on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

// On PostgreSQL a killed server's items are taken over after a lease (jobs/queue.test.ts, bench:cluster), not at the next start.
describe.skipIf(sqliteOnly)('jobs survive kill -9', () => {
  it('resumes after a restart: nothing lost, nothing twice', async () => {
    const store = openStore(dir);
    const scenario = await createScenario(dataStoreOf(store.db), { name: 'audit', graph: auditGraph() });
    await publishDraft(dataStoreOf(store.db), noServices, scenario.id, { slug: 'audit' });
    store.close();

    const first = await startChild();
    await signInAdmin(first.url);
    const res = await call(first.url, 'POST', `/api/scenarios/${scenario.id}/jobs`, { items: sampleItems() });
    expect(res.status).toBe(202);
    const { job_id } = JobCreatedSchema.parse(res.json);
    let finishedAtKill = 0;
    for (;;) {
      const p = JobProgressSchema.parse((await call(first.url, 'GET', `/api/jobs/${job_id}`)).json);
      if (p.succeeded + p.failed >= 8) {
        finishedAtKill = p.succeeded + p.failed;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise<void>((resolve) => {
      first.child.once('exit', () => resolve());
      first.child.kill('SIGKILL');
    });
    expect(finishedAtKill).toBeLessThan(44);

    const second = await startChild();
    await signInAdmin(second.url);
    const done = await waitForJob(second.url, `/api/jobs/${job_id}`, {}, 60_000);
    expect(done).toMatchObject({ status: 'completed', total: 44, pending: 0 });
    expect(done.succeeded + done.failed).toBe(44);
    const lines = resultLines((await call(second.url, 'GET', `/api/jobs/${job_id}/results`)).text);
    expect(lines).toHaveLength(44);
    expect(new Set(lines.map((l) => l.id)).size).toBe(44);
    second.child.kill('SIGTERM');
  }, 90_000);
});
