/**
 * Starts the real server on a free port against a temporary data directory, with the in-process
 * simulator at zero latency, and gives typed-enough fetch helpers.
 */
import { createParser } from 'eventsource-parser';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { loadConfig } from '../../server/src/config.js';
import { startServer, type RunningServer } from '../../server/src/http/server.js';

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

/** Starts the server on port 0 with the given data directory and a missing static dir. */
export async function startTestServer(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const config = loadConfig({ ...SIM_ENV, ...env, PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dataDir });
  return startServer(config, { signals: false, log: () => {}, staticDir: path.join(dataDir, 'no-client-build') });
}

/** A fetch to the server returning status, parsed JSON (or undefined) and headers. */
export async function call(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...headers };
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
