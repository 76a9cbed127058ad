/**
 * Starts the real server on a free port against a temporary data directory, with the in-process
 * simulator at zero latency, signed in as an admin, and gives typed-enough fetch helpers: {@link call}
 * sends the admin's session cookie and CSRF token unless told to call anonymously or as someone else.
 */
import { createParser } from 'eventsource-parser';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import type { Role } from '@shared/permissions.js';
import { CreatedUserSchema, SignedInSchema, SESSION_COOKIE } from '@shared/users.js';
import { loadConfig } from '../../server/src/config.js';
import { startServer, type RunningServer } from '../../server/src/http/server.js';
import { storeEnv } from './test-store.js';

/** Environment for a zero-latency, fault-free in-process simulator. */
export const SIM_ENV: NodeJS.ProcessEnv = {
  MOFANG_SIM_TTFT_MS: '0',
  MOFANG_SIM_PER_TOKEN_MS: '0',
  MOFANG_SIM_LOAD_FACTOR: '0',
};

/** A fresh temporary data directory (removed by {@link removeDir}). */
export function tempDir(prefix = 'mofang-api-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The first admin every test server gets (`POST /api/auth/setup`, or sign-in when the store has one). */
export const TEST_ADMIN = { name: 'admin', password: 'admin-password-for-tests' };

/** A signed-in session as a test holds it: the headers to send and who it is. */
export interface TestSession {
  /** `cookie` and `x-csrf-token`, for a raw fetch. */
  headers: Record<string, string>;
  user: { id: string; name: string; role: Role };
}

/** The default session of each test server, by its base URL (set by {@link startTestServer}). */
const sessions = new Map<string, TestSession>();

/** A running test server and the admin session {@link call} sends by default. */
export type TestServer = RunningServer & { session: TestSession };

function sessionFrom(res: Response, json: unknown): TestSession {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error(`no session cookie in the reply (${res.status})`);
  const signedIn = SignedInSchema.parse(json);
  return { headers: { cookie: cookie.split(';')[0] ?? '', 'x-csrf-token': signedIn.csrf_token }, user: signedIn.user };
}

/** Signs in by name and password; throws unless the server answers with a session. */
export async function signIn(base: string, name: string, password: string): Promise<TestSession> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sign-in as ${name} failed: ${res.status} ${text}`);
  return sessionFrom(res, JSON.parse(text));
}

/**
 * Creates the first admin ({@link TEST_ADMIN}) and signs in, or only signs in when one exists already;
 * the session becomes the one {@link call} sends to `base` by default (for a server a test spawned itself).
 */
export async function signInAdmin(base: string): Promise<TestSession> {
  const res = await fetch(`${base}/api/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TEST_ADMIN) });
  const text = await res.text();
  let session: TestSession;
  if (res.status === 201) session = sessionFrom(res, JSON.parse(text));
  else if (res.status === 409) session = await signIn(base, TEST_ADMIN.name, TEST_ADMIN.password);
  else throw new Error(`setup failed: ${res.status} ${text}`);
  sessions.set(base, session);
  return session;
}

/** The password {@link signInAs} users choose in place of their one-time password. */
export const CHOSEN_PASSWORD = 'a password chosen by the user';

/**
 * Signs in with a one-time password and changes it to `chosen`, as the server demands before anything
 * else (403 `password_change_required`); the session stays signed in.
 */
export async function signInFirstTime(base: string, name: string, oneTime: string, chosen = CHOSEN_PASSWORD): Promise<TestSession> {
  const session = await signIn(base, name, oneTime);
  const res = await call(base, 'POST', '/api/auth/password', { current_password: oneTime, new_password: chosen }, {}, { as: session });
  if (res.status !== 204) throw new Error(`could not change ${name}'s one-time password: ${res.status} ${res.text}`);
  return session;
}

/** Adds a user with `role` through the admin API (as the server's admin), signs in as them and changes the one-time password to {@link CHOSEN_PASSWORD}. */
export async function signInAs(base: string, role: Role, name = `${role}-${Math.random().toString(36).slice(2, 8)}`): Promise<TestSession> {
  const res = await call(base, 'POST', '/api/users', { name, role });
  if (res.status !== 201) throw new Error(`could not create a ${role}: ${res.status} ${res.text}`);
  return signInFirstTime(base, name, CreatedUserSchema.parse(res.json).password);
}

/** The admin session's headers (cookie and CSRF token) for a raw fetch to this server. */
export function authHeaders(base: string): Record<string, string> {
  return { ...sessions.get(base)?.headers };
}

/**
 * Starts the server on port 0 with the given data directory (and, in the PostgreSQL pass, that directory's
 * database: ./test-store.ts) and a missing static dir; without it, nobody is signed in.
 */
export async function startBareServer(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  // No drain by default: a test's close() ends what is in flight at once, as a test wants (drain tests set it).
  const config = loadConfig({ ...SIM_ENV, MOFANG_DRAIN_TIMEOUT_MS: '0', ...(await storeEnv(dataDir)), ...env, PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dataDir });
  return startServer(config, { signals: false, log: () => {}, staticDir: path.join(dataDir, 'no-client-build') });
}

/** {@link startBareServer}, then the first admin ({@link TEST_ADMIN}) is created and signed in; {@link call} sends that session. */
export async function startTestServer(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const server = await startBareServer(dataDir, env);
  const session = await signInAdmin(server.url);
  return {
    ...server,
    session,
    close: async () => {
      if (sessions.get(server.url) === session) sessions.delete(server.url);
      await server.close();
    },
  };
}

/** Who a {@link call} is made as: a session, or `null` for nobody; the server's admin when omitted. */
export interface CallOptions {
  as?: TestSession | null;
}

/** A fetch to the server returning status, parsed JSON (or undefined) and headers; sends the admin's session unless `options.as` says otherwise. */
export async function call(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}, options: CallOptions = {}) {
  const session = options.as === undefined ? sessions.get(base) : options.as;
  const sent = { ...session?.headers, ...headers };
  const init: RequestInit = { method, headers: sent };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...sent };
  }
  const res = await fetch(base + url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** A graph that compiles: start (transcript) → llm → end (`reply`). */
export function echoGraph(name = 'echo'): Graph {
  return {
    schema: GRAPH_FORMAT,
    name,
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
      { id: 'llm_1', kind: 'llm', version: 1, position: { x: 300, y: 0 }, config: { system: '你是电信客服助手。', user: '{{ start.transcript.text }}' } },
      { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: [{ name: 'reply', value: '{{ llm_1.text }}' }] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'llm_1', targetPort: 'in' },
      { id: 'e2', source: 'llm_1', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

/** A graph that parses but does not compile: an edge to a node that does not exist, and no end. */
export function brokenGraph(): Graph {
  return {
    schema: GRAPH_FORMAT,
    name: 'broken',
    nodes: [{ id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [] } }],
    edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'ghost', targetPort: 'in' }],
  };
}

/** Parses an SSE body into `{ event, data, id }` records (eventsource-parser; data parsed as JSON). */
export function parseSse(text: string): Array<{ event: string; data: unknown; id?: string }> {
  const out: Array<{ event: string; data: unknown; id?: string }> = [];
  const parser = createParser({ onEvent: (e) => out.push({ event: e.event ?? 'message', data: JSON.parse(e.data), ...(e.id ? { id: e.id } : {}) }) });
  parser.feed(`${text}\n\n`);
  return out;
}
