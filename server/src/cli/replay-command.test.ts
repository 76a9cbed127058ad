/**
 * `mofang replay`'s client side against a small stand-in of the `/v1` session routes (node:http, the
 * shapes of shared/src/sessions.ts): how many sessions it keeps open, when it posts turns, what it
 * prints from the event stream. tests/api/replay-cli.test.ts plays the same files into the real server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommandAction } from './replay-command.js';

const STC3 = fileURLToPath(new URL('./fixtures/stc3-replay.jsonl', import.meta.url));
const TIMED = fileURLToPath(new URL('./fixtures/timed-calls.jsonl', import.meta.url));

interface FakeSession {
  id: string;
  callId: string;
  turns: Array<{ id: string; text: string; at: number }>;
  stream?: ServerResponse;
  seq: number;
  ended: boolean;
}

let server: Server;
let url: string;
const sessions: FakeSession[] = [];
let open = 0;
let maxOpen = 0;

function send(s: FakeSession, name: string, data: unknown) {
  s.stream?.write(`id: ${s.id}:${s.seq++}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

function finalRun(s: FakeSession) {
  return { run_id: `run-${s.id}`, status: 'succeeded', outputs: {}, latency_ms: 3, simulated: true };
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  if (req.headers.authorization !== 'Bearer mf_good') return json(401, { error: { code: 'unauthorized', message: 'a valid API key is required' } });
  const path = req.url ?? '';
  let m = /^\/v1\/scenarios\/([^/]+)\/sessions$/.exec(path);
  if (m && req.method === 'POST') {
    if (m[1] !== 'known') return json(404, { error: { code: 'unknown_scenario', message: `no published scenario "${m[1]}"` } });
    const { call_id } = await body(req);
    const s: FakeSession = { id: `s${sessions.length + 1}`, callId: String(call_id), turns: [], seq: 0, ended: false };
    sessions.push(s);
    maxOpen = Math.max(maxOpen, ++open);
    return json(201, { session_id: s.id, scenario: 'known', version: 1, call_id: s.callId, status: 'active', created_at: new Date().toISOString(), idle_timeout_ms: 60_000, events_url: `/v1/sessions/${s.id}/events`, desk_url: `${url}/#/desk/${s.id}?token=t` });
  }
  m = /^\/v1\/sessions\/([^/]+)\/(events|turns|end)$/.exec(path);
  const s = sessions.find((x) => x.id === m?.[1]);
  if (!m || !s) return json(404, { error: { code: 'not_found', message: 'no route' } });
  if (m[2] === 'events') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    s.stream = res;
    return;
  }
  if (m[2] === 'turns') {
    const { turns } = (await body(req)) as { turns: Array<{ id: string; text: string }> };
    for (const t of turns) s.turns.push({ id: t.id, text: t.text, at: performance.now() });
    const at = new Date().toISOString();
    send(s, 'session.updated', { session_id: s.id, update: s.turns.length, turn_count: s.turns.length, last_turn_id: turns.at(-1)?.id ?? null, outputs: {}, changes: [], stats: { latency_ms: 1, model_calls: 1, reused_calls: 0, turns: 1, simulated: true }, at });
    if (turns.some((t) => t.text.includes('投诉'))) {
      send(s, 'session.alert', { session_id: s.id, alert: { id: 'a1', rule_id: 'complaint', name: '客户要投诉', severity: 'critical', kind: 'keyword', output: null, value: '我要投诉', turn_id: turns[0]?.id ?? null, at } });
    }
    return json(202, { session_id: s.id, accepted: turns.length, duplicates: 0, turn_count: s.turns.length });
  }
  s.ended = true;
  open--;
  send(s, 'session.ended', { session_id: s.id, reason: 'ended', turn_count: s.turns.length, final_run: finalRun(s), at: new Date().toISOString() });
  s.stream?.end();
  return json(200, { session_id: s.id, scenario: 'known', version: 1, call_id: s.callId, meta: null, status: 'ended', turn_count: s.turns.length, outputs: {}, alerts: [], created_at: '', last_turn_at: null, ended_at: '', end_reason: 'ended', final_run_id: `run-${s.id}`, metrics: { turns: s.turns.length, updates: s.turns.length, model_calls: 0, reused_calls: 0, prompt_prefix_reuse: 0, lag_ms_p50: null, lag_ms_p99: null }, final_run: finalRun(s) });
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), env: {} } };
}

describe('replayCommandAction', () => {
  it('keeps at most --concurrency sessions open, posts every turn in order, prints alerts, ended calls and the summary', async () => {
    sessions.length = 0;
    maxOpen = 0;
    const { out, io: cli } = io();
    const code = await replayCommandAction('known', { file: STC3, speed: 'max', concurrency: 2, url, key: 'mf_good' }, cli);
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(maxOpen).toBe(2);
    expect(sessions.map((s) => [s.callId, s.turns.map((t) => t.id).join(','), s.ended])).toEqual([
      ['stc3-3625372845010086', 't1,t2,t3', true],
      ['stc3-4001495064585245', 't1,t2', true],
      ['stc3-3959185093600205', 't1,t2,t3,t4,t5,t6', true],
      ['stc3-3648489064442602', 't1,t2,t3,t4', true],
    ]);
    expect(out.stdout).toMatch(/^alert {2}stc3-4001495064585245 {2}\[critical\] 客户要投诉 \(rule complaint, turn t\d\): 我要投诉$/m);
    expect(out.stdout).toMatch(/^ended {2}stc3-3959185093600205 {2}session s3: 6 turns, 6 updates, 0 alerts; final run succeeded \(run-s3, 3 ms\)$/m);
    expect(out.stdout).toMatch(/^replayed 4 calls in [\d.]+ s: 4 ended, 0 failed; 15 turns, 15 updates, \d+ alerts, 0 errors$/m);
  });

  it('posts each turn when it was finalised, scaled by the speed', async () => {
    sessions.length = 0;
    const { io: cli } = io();
    const t0 = performance.now();
    expect(await replayCommandAction('known', { file: TIMED, speed: '10x', url, key: 'mf_good', limit: 1 }, cli)).toBe(0);
    const at = sessions[0]?.turns.map((t) => t.at - t0) ?? [];
    // Ends at 2.4, 6.1 and 8.2 s: 240, 610 and 820 ms at 10x (plus the requests' own time).
    expect(at).toHaveLength(3);
    for (const [i, expected] of [240, 610, 820].entries()) {
      expect(at[i]).toBeGreaterThanOrEqual(expected - 5);
      expect(at[i]).toBeLessThan(expected + 250);
    }
  });

  it('stops on the first refusal that every call would meet: a refused key, an unknown scenario', async () => {
    sessions.length = 0;
    await expect(replayCommandAction('known', { file: STC3, speed: 'max', url, key: 'mf_bad' }, io().io)).rejects.toThrow(/the server refused the API key \(401 unauthorized\)/);
    await expect(replayCommandAction('other', { file: STC3, speed: 'max', url, key: 'mf_good' }, io().io)).rejects.toThrow(/no published scenario "other" on http:\/\/127\.0\.0\.1:\d+ \(404 unknown_scenario\)/);
    expect(sessions).toHaveLength(0);
  });

  it('an interrupt ends the open sessions and no more start', async () => {
    sessions.length = 0;
    const { out, io: cli } = io();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const code = await replayCommandAction('known', { file: STC3, speed: '1x', url, key: 'mf_good', concurrency: 2 }, cli, stop.signal);
    expect(code).toBe(130);
    expect(sessions.map((s) => [s.turns.length, s.ended])).toEqual([
      [0, true],
      [0, true],
    ]);
    expect(out.stdout).toMatch(/^ended {2}stc3-3625372845010086 {2}session s1 \(interrupted\): 0 turns/m);
    expect(out.stdout).toMatch(/^interrupted after 2 calls/m);
  });
});
