import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Drain, isFollowerStream, within } from './drain.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server with a follower stream (GET /follow), a slow run (POST /run, answered when `finishRun` is called) and GET /quick. */
async function serve(drain: Drain): Promise<{ base: string; finishRun: () => void }> {
  let finishRun = () => {};
  const ran = new Promise<void>((resolve) => (finishRun = resolve));
  server = createServer((req, res) => {
    drain.track(req, res);
    if (req.url === '/follow' || req.url === '/run-stream') {
      // As in the server: the front door's headers are set first (helmet), then better-sse's writeHead
      // adds its own to them, where getHeader sees them (headers given only to writeHead it would not).
      res.setHeader('x-content-type-options', 'nosniff');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: hello\ndata: {}\n\n');
      if (req.method === 'POST') void ran.then(() => res.end('event: result\ndata: {}\n\n'));
      return;
    }
    if (req.url === '/run') return void ran.then(() => res.end('done'));
    res.end('quick');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  const port = address.port;
  return { base: `http://127.0.0.1:${port}`, finishRun };
}

/** Reads a streamed body to its end; resolves with its text. */
async function readAll(res: Response): Promise<string> {
  return res.text();
}

describe('Drain', () => {
  it('ends follower streams at once and waits for the runs in flight, streaming or not', async () => {
    const drain = new Drain();
    const { base, finishRun } = await serve(drain);
    const follower = await fetch(`${base}/follow`);
    const runStream = await fetch(`${base}/run-stream`, { method: 'POST' });
    const run = fetch(`${base}/run`, { method: 'POST' });
    await expect.poll(() => drain.requests).toBe(3);

    drain.start();
    expect(drain.draining).toBe(true);
    // The follower's response ends (its client may resume elsewhere); the two runs go on.
    expect(await readAll(follower)).toContain('event: hello');
    await expect.poll(() => drain.requests).toBe(2);
    let idle = false;
    const waiting = drain.idle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(idle).toBe(false);

    finishRun();
    const done = await run;
    expect(done.status).toBe(200);
    expect(await done.text()).toBe('done');
    expect(await readAll(runStream)).toContain('event: result');
    await waiting;
    expect(drain.requests).toBe(0);
  });

  it('asks the clients of replies sent while draining to close their connection', async () => {
    const drain = new Drain();
    const { base } = await serve(drain);
    expect((await fetch(`${base}/quick`)).headers.get('connection')).not.toBe('close');
    drain.start();
    const res = await fetch(`${base}/quick`);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.text()).toBe('quick');
  });

  it('is idle at once when nothing is in flight, and start is idempotent', async () => {
    const drain = new Drain();
    drain.start();
    drain.start();
    await expect(within(drain.idle(), 10)).resolves.toBe(true);
  });

  it('tells follower streams (GET event streams) from the rest', () => {
    const res = (type: string | undefined, ended = false) => ({ getHeader: () => type, writableEnded: ended });
    expect(isFollowerStream({ method: 'GET' }, res('text/event-stream; charset=utf-8'))).toBe(true);
    expect(isFollowerStream({ method: 'POST' }, res('text/event-stream'))).toBe(false);
    expect(isFollowerStream({ method: 'GET' }, res('application/json'))).toBe(false);
    expect(isFollowerStream({ method: 'GET' }, res('text/event-stream', true))).toBe(false);
  });
});

describe('within', () => {
  it('says whether the work settled before the time ran out', async () => {
    await expect(within(new Promise((r) => setTimeout(r, 5)), 1_000)).resolves.toBe(true);
    await expect(within(Promise.reject(new Error('x')), 1_000)).resolves.toBe(true);
    await expect(within(new Promise(() => {}), 20)).resolves.toBe(false);
  });
});
