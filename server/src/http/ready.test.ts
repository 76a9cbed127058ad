import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadinessCheck } from '../storage/readiness.js';
import { readyHandler } from './ready.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** GET /ready of an app with this drain state and check: status, body and Connection header. */
async function probe(draining: boolean, check: ReadinessCheck, timeoutMs?: number) {
  const app = express();
  app.get('/ready', readyHandler({ draining }, check, timeoutMs));
  const listening = app.listen(0, '127.0.0.1');
  server = listening;
  await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
  const address: AddressInfo | string | null = listening.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  const res = await fetch(`http://127.0.0.1:${address.port}/ready`);
  return { status: res.status, body: await res.json(), connection: res.headers.get('connection') };
}

describe('readyHandler', () => {
  it('is ready when not draining and the store has no problem', async () => {
    expect(await probe(false, async () => undefined)).toMatchObject({ status: 200, body: { ready: true } });
  });

  it('answers the store problem with 503 and its code', async () => {
    const sent = await probe(false, async () => ({ code: 'migrations_pending', message: 'migration 0019 is not applied' }));
    expect(sent).toMatchObject({ status: 503, body: { error: { code: 'migrations_pending', message: 'migration 0019 is not applied' } } });
  });

  it('counts a database that does not answer in time as unavailable', async () => {
    const sent = await probe(false, () => new Promise(() => {}), 20);
    expect(sent).toMatchObject({ status: 503, body: { error: { code: 'database_unavailable' } } });
  });

  it('says draining before asking the store, and asks the client to close the connection', async () => {
    let asked = false;
    const sent = await probe(true, async () => {
      asked = true;
      return undefined;
    });
    expect(sent).toMatchObject({ status: 503, body: { error: { code: 'draining' } }, connection: 'close' });
    expect(asked).toBe(false);
  });
});
