/**
 * Process helpers for `npm run bench:jobs`: the simulator and the Mofang server as their own
 * processes (127.0.0.1 only), each started through bin/mofang.mjs and found by its start-up line.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from '../scripts/server-node-flags.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/mofang.mjs`;

export interface Proc {
  child: ChildProcess;
  url: string;
}

/**
 * Spawns `node bin/mofang.mjs …` (`start` with the Node flags the bin runs with) and resolves with the
 * first http://127.0.0.1:port it prints.
 */
export function startProc(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<Proc> {
  const flags = args[0] === 'start' ? serverNodeFlags() : [];
  const child = spawn(process.execPath, [...flags, BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start: ${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code}: ${out}`));
    });
  });
}

/** The simulator process (capacity 64, 300 ms to first token, 20 ms a token unless `args` say otherwise). */
export function startSimulator(args: string[] = []): Promise<Proc> {
  return startProc(['simulator', '--port', '0', '--host', '127.0.0.1', '--capacity', '64', '--ttft', '300', '--per-token', '20', ...args], {}, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
}

/** A Mofang server on a free port against `dataDir`, its model the simulator at `simUrl`; `env` adds to or overrides its environment. */
export function startMofang(dataDir: string, simUrl: string, env: NodeJS.ProcessEnv = {}): Promise<Proc> {
  return startProc(
    ['start'],
    { PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dataDir, MOFANG_MODEL_BASE_URL: `${simUrl}/v1`, MOFANG_MODEL: 'mofang-simulator', MOFANG_MODEL_TIMEOUT_MS: '15000', ...env },
    /Mofang on (http:\/\/127\.0\.0\.1:\d+)/,
  );
}

/** Publishes the audit template under slug `audit` with the CLI, into `dataDir`. */
export function publishAudit(dataDir: string): void {
  execFileSync(process.execPath, [BIN, 'publish', 'templates/call-quality-audit/graph.json', '--slug', 'audit'], { cwd: ROOT, env: { ...process.env, MOFANG_DATA_DIR: dataDir }, stdio: 'pipe' });
}

/** Stops a process and waits for it to be gone (SIGKILL when `hard`). */
export function stop(proc: Proc, hard = false): Promise<void> {
  return new Promise((resolve) => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return resolve();
    proc.child.once('exit', () => resolve());
    proc.child.kill(hard ? 'SIGKILL' : 'SIGTERM');
  });
}

/**
 * Creates the first admin of a fresh data directory (or signs in when it has one) and returns the headers
 * (`cookie`, `x-csrf-token`) that `/api` calls need.
 */
export async function adminHeaders(url: string): Promise<Record<string, string>> {
  const credentials = JSON.stringify({ name: 'bench', password: 'bench-admin-password' });
  const post = (path: string) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: credentials });
  let res = await post('/api/auth/setup');
  if (res.status === 409) res = await post('/api/auth/login');
  const body = (await res.json()) as { csrf_token?: string };
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mofang_session='))?.split(';')[0];
  if (!res.ok || !cookie || !body.csrf_token) throw new Error(`sign-in as the bench admin failed: ${res.status}`);
  return { cookie, 'x-csrf-token': body.csrf_token };
}

/** JSON over fetch; throws on a non-2xx reply. */
export async function json(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text === '' ? undefined : JSON.parse(text);
}
