/**
 * `mofang replay` against a real server (in-process simulator): recorded calls played into live sessions
 * over /v1, their end state read back from `GET /v1/sessions/{id}`, and the errors a user can meet.
 */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V1SessionSchema } from '@shared/sessions.js';
import { replyGraph } from '../../server/src/publish/graphs.testing.js';
import { replayCommandAction } from '../../server/src/cli/replay-command.js';
import { mofang } from './cli-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../server/src/cli/fixtures/${name}`, import.meta.url));
const STC3 = fixture('stc3-replay.jsonl');
const TIMED = fixture('timed-calls.jsonl');

let h: V1Harness;
let key: string;

beforeAll(async () => {
  h = await startV1Harness();
  await h.publish('replay-reply', replyGraph('Replay reply'));
  key = (await h.key()).key;
});
afterAll(async () => {
  await h?.close();
});

/** The session ids of the `ended` lines, by call id. */
function endedSessions(stdout: string): Map<string, string> {
  const sessions = new Map<string, string>();
  for (const m of stdout.matchAll(/^ended {2}(\S+) {2}session ([^\s:]+)/gm)) sessions.set(m[1] as string, m[2] as string);
  return sessions;
}

async function session(id: string) {
  const res = await h.v1('GET', `/v1/sessions/${id}`, key);
  expect(res.status, res.text).toBe(200);
  return V1SessionSchema.parse(res.json);
}

describe('mofang replay', () => {
  it('plays STC-3 rows into sessions at max speed, two at once, and ends each with its final run', async () => {
    const r = await mofang(['replay', 'replay-reply', '--file', STC3, '--speed', 'max', '--concurrency', '2', '--url', h.server.url, '--key', key]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replaying 4 calls into "replay-reply" on http:\/\/127\.0\.0\.1:\d+ at max speed, 2 at once$/m);
    const sessions = endedSessions(r.stdout);
    expect([...sessions.keys()].sort()).toEqual(['stc3-3625372845010086', 'stc3-3648489064442602', 'stc3-3959185093600205', 'stc3-4001495064585245']);
    expect(r.stdout.match(/final run succeeded \(\S+, \d+ ms\)$/gm)).toHaveLength(4);
    const summary = /^replayed 4 calls in [\d.]+ s: 4 ended, 0 failed; 15 turns, (\d+) updates, 0 alerts, 0 errors$/m.exec(r.stdout);
    expect(summary, r.stdout).not.toBeNull();
    // Turns posted one by one as fast as the server takes them: at least one update per call, at most one per turn.
    expect(Number(summary?.[1])).toBeGreaterThanOrEqual(4);
    expect(Number(summary?.[1])).toBeLessThanOrEqual(15);

    const stored = await session(sessions.get('stc3-3959185093600205') as string);
    expect(stored).toMatchObject({ status: 'ended', end_reason: 'ended', scenario: 'replay-reply', call_id: 'stc3-3959185093600205', turn_count: 6 });
    expect(stored.meta).toMatchObject({ source: 'mofang replay', file: STC3, line: 3 });
    expect(stored.final_run_id).not.toBeNull();
  });

  it('keeps the calls\' own times: turns ending at 8.2 s take at least 410 ms at 20x; --limit plays the first calls only', async () => {
    const t0 = performance.now();
    const r = await mofang(['replay', 'replay-reply', '--file', TIMED, '--speed', '20x', '--url', h.server.url, '--key', key]);
    const elapsed = performance.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(410);
    const sessions = endedSessions(r.stdout);
    expect((await session(sessions.get('timed-1') as string)).turn_count).toBe(3);
    expect((await session(sessions.get('timed-calls.jsonl:3') as string)).turn_count).toBe(2);

    const one = await mofang(['replay', 'replay-reply', '--file', TIMED, '--speed', 'max', '--limit', '1', '--url', h.server.url], { MOFANG_API_KEY: key });
    expect(one.code, one.stderr).toBe(0);
    expect([...endedSessions(one.stdout).keys()]).toEqual(['timed-1']);
  });

  it('Ctrl+C ends the open sessions and exits 130', async () => {
    let stdout = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: () => undefined, env: {} };
    const stop = new AbortController();
    // At 1x the first STC-3 call's first turn is finalised after 13 s: stop while every session waits.
    setTimeout(() => stop.abort(), 500);
    const code = await replayCommandAction('replay-reply', { file: STC3, speed: '1x', url: h.server.url, key, concurrency: 4 }, io, stop.signal);
    expect(code).toBe(130);
    expect(stdout).toMatch(/^interrupted after 4 calls in [\d.]+ s: 4 ended, 0 failed; 0 turns/m);
    const sessions = endedSessions(stdout);
    expect(sessions.size).toBe(4);
    for (const id of sessions.values()) expect((await session(id)).status).toBe('ended');
  });

  it('says what is wrong: no key, a missing file, a bad line, a refused key, an unknown scenario, no server', async () => {
    const base = ['--url', h.server.url];
    const noKey = await mofang(['replay', 'replay-reply', '--file', STC3, ...base], { MOFANG_API_KEY: '' });
    expect(noKey).toMatchObject({ code: 1, stderr: expect.stringMatching(/^mofang: an API key is required: --key <key> or MOFANG_API_KEY/) });

    const missing = await mofang(['replay', 'replay-reply', '--file', '/nonexistent/calls.jsonl', '--key', key, ...base]);
    expect(missing).toMatchObject({ code: 1, stderr: 'mofang: the calls file "/nonexistent/calls.jsonl" does not exist\n' });

    const badLine = await mofang(['replay', 'replay-reply', '--file', fixture('README.md'), '--key', key, ...base]);
    expect(badLine.code).toBe(1);
    expect(badLine.stderr).toMatch(/^mofang: .*README\.md, line 1: not JSON/);

    const refused = await mofang(['replay', 'replay-reply', '--file', STC3, '--key', 'mf_notakey', ...base]);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/^mofang: the server refused the API key \(401 unauthorized\)/) });

    const unknown = await mofang(['replay', 'no-such-scenario', '--file', STC3, '--key', key, ...base]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^mofang: .*no-such-scenario.* \(404 \w+\): publish it first/);
    expect(unknown.stdout).not.toMatch(/^ended/m);

    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const down = await mofang(['replay', 'replay-reply', '--file', STC3, '--key', key, '--url', `http://127.0.0.1:${port}`]);
    expect(down).toMatchObject({ code: 1, stderr: `mofang: cannot reach the Mofang server at http://127.0.0.1:${port} (ECONNREFUSED): start it with \`mofang start\`, or give its address with --url\n` });

    const speed = await mofang(['replay', 'replay-reply', '--file', STC3, '--key', key, '--speed', 'fast', ...base]);
    expect(speed).toMatchObject({ code: 1, stderr: expect.stringMatching(/--speed "fast": expected a factor/) });
  });
});
