import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveSessions, SessionEventRecord, SessionView } from '../sessions/ports.js';
import { resumeFrom, sessionStream } from './live-streams.js';

/** Just enough of the sessions domain for one session's stream: stored events and followers. */
function fakeSessions() {
  const events: SessionEventRecord[] = [];
  const followers = new Set<(e: SessionEventRecord, s: SessionView) => void>();
  let status: SessionView['status'] = 'active';
  const view = () => ({ id: 's1', status }) as unknown as SessionView;
  const sessions = {
    get: (id: string) => (id === 's1' ? view() : undefined),
    eventsSince: (_id: string, from: number) => events.filter((e) => e.seq >= from),
    subscribe: (listener: (e: SessionEventRecord, s: SessionView) => void) => {
      followers.add(listener);
      return () => followers.delete(listener);
    },
  } as unknown as LiveSessions;
  const emit = (name: string, data: unknown) => {
    const e = { sessionId: 's1', seq: events.length, name, data, at: Date.now() };
    events.push(e);
    if (name === 'session.ended') status = 'ended';
    for (const f of followers) f(e, view());
  };
  return { sessions, emit, followers };
}

function reader(res: Response) {
  const got: Array<{ event?: string; data: string; id?: string }> = [];
  const parser = createParser({ onEvent: (e) => got.push(e) });
  const done = (async () => {
    const decoder = new TextDecoder();
    const body = res.body?.getReader();
    for (let r = await body?.read(); r && !r.done; r = await body?.read()) parser.feed(decoder.decode(r.value, { stream: true }));
  })();
  const until = async (n: number) => {
    while (got.length < n) await new Promise((r) => setTimeout(r, 5));
  };
  return { got, done, until };
}

describe('resumeFrom', () => {
  it('reads `<session>:<seq>` of this session only', () => {
    expect(resumeFrom('s1', 's1:4')).toBe(5);
    expect(resumeFrom('s1', undefined)).toBe(0);
    for (const other of ['s2:4', 's1:x', ':3', 's1', 's1:-1']) expect(resumeFrom('s1', other)).toBe(0);
  });
});

describe('sessionStream', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  async function serve(sessions: LiveSessions): Promise<string> {
    const app = express();
    app.get('/s1', async (req, res) => {
      await sessionStream(req, res, sessions, 's1', (e) => ({ ...(e.data as object), shown: true }));
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    close = () => server.close();
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/s1`;
  }

  it('replays the stored events, follows new ones, resumes after Last-Event-ID and closes after session.ended', async () => {
    const { sessions, emit, followers } = fakeSessions();
    emit('session.started', { n: 0 });
    emit('session.turns', { n: 1 });
    const url = await serve(sessions);
    const first = reader(await fetch(url));
    await first.until(2);
    emit('session.updated', { n: 2 });
    await first.until(3);
    expect(first.got.map((e) => e.id)).toEqual(['s1:0', 's1:1', 's1:2']);
    expect(JSON.parse(first.got[2]?.data ?? '{}')).toEqual({ n: 2, shown: true });

    // A reconnect after s1:1 gets s1:2 again, then what follows, and the stream ends with session.ended.
    const second = reader(await fetch(url, { headers: { 'last-event-id': 's1:1' } }));
    await second.until(1);
    emit('session.ended', { n: 3 });
    await second.done;
    await first.done;
    expect(second.got.map((e) => [e.id, e.event])).toEqual([['s1:2', 'session.updated'], ['s1:3', 'session.ended']]);
    expect(first.got.at(-1)?.event).toBe('session.ended');
    // Both followers have stopped following.
    await new Promise((r) => setTimeout(r, 20));
    expect(followers.size).toBe(0);

    // A session over, resumed after its last event: nothing to send, the response ends at once.
    const third = reader(await fetch(url, { headers: { 'last-event-id': 's1:3' } }));
    await third.done;
    expect(third.got).toEqual([]);
  });
});
