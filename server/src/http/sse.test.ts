import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { eventId, parseEventId, RunEventStreams, type RunEventWriter } from './sse.js';

describe('event ids', () => {
  it('round-trip, and anything else is refused', () => {
    expect(parseEventId(eventId('a1b2', 7))).toEqual({ runId: 'a1b2', next: 8 });
    expect(parseEventId('run:with:colons:0')).toEqual({ runId: 'run:with:colons', next: 1 });
    for (const bad of ['', 'x', ':3', 'x:', 'x:-1', 'x:1.5', 'x:9999999999']) expect(parseEventId(bad)).toBeUndefined();
  });
});

describe('RunEventStreams', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  /** A server whose POST /run opens a stream the test drives, or resumes one on reconnect. */
  async function serve(streams: RunEventStreams): Promise<{ url: string; writer: Promise<RunEventWriter> }> {
    const app = express();
    let opened: (w: RunEventWriter) => void = () => {};
    const writer = new Promise<RunEventWriter>((resolve) => (opened = resolve));
    app.post('/run', async (req, res) => {
      if (await streams.resume(req, res, 'me')) return;
      const w = await streams.open(req, res, 'r1', 'me');
      opened(w);
      await w.closed;
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    close = () => server.close();
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/run`, writer };
  }

  /** Reads events as they arrive, resolving `next(n)` once n have come. */
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

  it('lets a reconnect follow a run still going: the missed events, then the live ones, then the close', async () => {
    const { url, writer } = await serve(new RunEventStreams());
    const first = reader(await fetch(url, { method: 'POST' }));
    const w = await writer;
    w.push({ n: 0 }, 'step');
    w.push({ n: 1 }, 'step');
    await first.until(2);
    expect(first.got.map((e) => e.id)).toEqual(['r1:0', 'r1:1']);

    const res = await fetch(url, { method: 'POST', headers: { 'last-event-id': 'r1:0' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const second = reader(res);
    await second.until(1);
    w.push({ n: 2 }, 'step');
    await second.until(2);
    w.end();
    await Promise.all([first.done, second.done]);
    expect(second.got).toEqual([
      { id: 'r1:1', event: 'step', data: '{"n":1}' },
      { id: 'r1:2', event: 'step', data: '{"n":2}' },
    ]);
    expect(first.got).toHaveLength(3);
  });

  it('forgets a finished run after its time, and then answers 204', async () => {
    // A second of remembering: a reconnect right after the end (a loaded machine takes tens of ms per fetch) is still answered.
    const { url, writer } = await serve(new RunEventStreams({ ttlMs: 1000 }));
    const first = reader(await fetch(url, { method: 'POST' }));
    const w = await writer;
    w.push({}, 'step');
    w.end();
    await first.done;
    expect((await fetch(url, { method: 'POST', headers: { 'last-event-id': 'r1:0' } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await fetch(url, { method: 'POST', headers: { 'last-event-id': 'r1:0' } })).status).toBe(204);
  });
});
