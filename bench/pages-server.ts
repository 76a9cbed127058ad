/**
 * The server `npm run bench:pages` loads pages from: `bin/mofang.mjs start` of a checkout (with the Node
 * flags of its shebang line, as `npm start` runs it) on a free loopback port with a temporary data
 * directory and the zero-latency simulator, seeded as a team lead's install would be: the first admin
 * (`POST /api/auth/setup`, as tests/browser/harness.ts does), the call-quality-audit template used and
 * published, a finished five-call job over it and one API key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverNodeFlags } from '../scripts/server-node-flags.mjs';

/** A started, seeded server. */
export interface BenchServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The admin's session cookie value (`mofang_session`). */
  session: string;
  /** The published audit scenario and its finished job. */
  scenarioId: string;
  jobId: string;
  stop(): Promise<void>;
}

/** Waits for the server to print its URL; rejects when it exits first or after 60 s. */
function listeningUrl(child: ChildProcess): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /https?:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
}

/** A JSON request with the admin's headers; throws on a status outside 2xx, naming the route and reply. */
async function call<T>(url: string, headers: Record<string, string>, method: string, route: string, body?: string, type = 'application/json'): Promise<T> {
  const res = await fetch(`${url}${route}`, { method, headers: { ...headers, 'content-type': type }, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A started server with its first admin signed in. */
export interface SignedInServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `mofang_session=<value>`, ready for a `cookie` header. */
  cookie: string;
  csrf: string;
  stop(): Promise<void>;
}

/**
 * Starts `root`'s server (simulator at zero latency, a fresh data directory removed by `stop`) and sets up
 * its first admin. Its `dist/client` must be built: this builds nothing.
 * @throws when the client is not built, the server does not start, or the set-up request fails.
 */
export async function startSignedInServer(root: string, label: string): Promise<SignedInServer> {
  if (!existsSync(path.join(root, 'dist/client/index.html'))) throw new Error(`${root}/dist/client is missing: run \`npx vite build\` first`);
  const bin = path.join(root, 'bin/mofang.mjs');
  const dataDir = mkdtempSync(path.join(tmpdir(), `mofang-bench-${label}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dataDir, MOFANG_SIM_TTFT_MS: '0', MOFANG_SIM_PER_TOKEN_MS: '0' };
  for (const key of ['MOFANG_MODEL_BASE_URL', 'MOFANG_MODEL_API_KEY', 'MOFANG_MODEL']) delete env[key];
  const child = spawn(process.execPath, [...serverNodeFlags(bin), bin, 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await listeningUrl(child);
    const setup = await fetch(`${url}/api/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: `bench-${label}-password` }) });
    const reply = (await setup.json()) as { csrf_token?: string };
    const cookie = setup.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mofang_session='));
    if (!setup.ok || !cookie || typeof reply.csrf_token !== 'string') throw new Error(`POST /api/auth/setup answered ${setup.status}`);
    return { url, cookie, csrf: reply.csrf_token, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts `root`'s server (see {@link startSignedInServer}) and seeds it: a published audit scenario and a
 * finished five-call job.
 * @throws when the client is not built, the server does not start, or a seeding request fails.
 */
export async function startBenchServer(root: string): Promise<BenchServer> {
  const { url, cookie, csrf, stop } = await startSignedInServer(root, 'pages');
  try {
    const headers = { cookie, 'x-csrf-token': csrf };
    const { id: scenarioId } = await call<{ id: string }>(url, headers, 'POST', '/api/templates/call-quality-audit/use', JSON.stringify({ name: '通话质检' }));
    await call(url, headers, 'POST', `/api/scenarios/${scenarioId}/publish`, JSON.stringify({ slug: 'call-audit', note: 'bench' }));
    await call(url, headers, 'POST', '/api/keys', JSON.stringify({ name: 'bench', scenarios: ['call-audit'] }));
    const lines = readFileSync(path.join(root, 'tests/fixtures/stc3-sample.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 5)
      .map((l) => { const row = JSON.parse(l) as { id: string; turns: unknown[] }; return JSON.stringify({ id: row.id, inputs: { transcript: { turns: row.turns } } }); });
    const { job_id: jobId } = await call<{ job_id: string }>(url, headers, 'POST', `/api/scenarios/${scenarioId}/jobs`, `${lines.join('\n')}\n`, 'application/x-ndjson');
    for (let i = 0; i < 300; i++) {
      const detail = await call<{ status: string }>(url, headers, 'GET', `/api/jobs/${jobId}`);
      if (detail.status !== 'queued' && detail.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return { url, session: cookie.slice('mofang_session='.length), scenarioId, jobId, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
