import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import { compressReplies } from './compress.js';
import { IMMUTABLE, staticRoutes } from './static.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mofang-static-'));
const script = `export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `word${i % 20}`))};\n`;
let server: Server;
let base = '';

/** A GET with the given Accept-Encoding; the body as it came over the wire. */
function fetchRaw(url: string, encoding: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${base}${url}`, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

beforeAll(async () => {
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), `<!doctype html><title>app</title>${'<!-- padding -->'.repeat(100)}`);
  writeFileSync(path.join(dir, 'assets', 'app-Ab12Cd34.js'), script);
  const app = express();
  const events = express.Router();
  events.use(compressReplies());
  events.get('/api/events', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.end(`data: ${'x'.repeat(4000)}\n\n`);
  });
  events.get('/api/big', (_req, res) => {
    res.json({ words: script });
  });
  app.use(events);
  app.use(staticRoutes(dir));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('the built client as served', () => {
  it('sends a hashed script gzipped, kept for a year', async () => {
    const reply = await fetchRaw('/assets/app-Ab12Cd34.js', 'gzip');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers['cache-control']).toBe(IMMUTABLE);
    expect(reply.headers.vary).toContain('Accept-Encoding');
    expect(reply.body.length).toBeLessThan(script.length / 4);
    expect(gunzipSync(reply.body).toString()).toBe(script);
  });

  it('sends it as it is to a client that takes no compression', async () => {
    const reply = await fetchRaw('/assets/app-Ab12Cd34.js', 'identity');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.body.toString()).toBe(script);
  });

  it('asks for index.html again every time, at / and at any app path', async () => {
    for (const url of ['/', '/index.html', '/some/page']) {
      const reply = await fetchRaw(url, 'gzip');
      expect(reply.status, url).toBe(200);
      expect(reply.headers['cache-control'], url).toBe('no-cache');
      expect(gunzipSync(reply.body).toString(), url).toContain('<title>app</title>');
    }
  });

  it('answers a missing build file with 404, not with the app page', async () => {
    const reply = await fetchRaw('/assets/gone-Zz99.js', 'identity');
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ error: { code: 'not_found' } });
  });

  it('compresses JSON but never an event stream', async () => {
    const json = await fetchRaw('/api/big', 'gzip, br');
    expect(['gzip', 'br']).toContain(json.headers['content-encoding']);
    const stream = await fetchRaw('/api/events', 'gzip, br');
    expect(stream.headers['content-encoding']).toBeUndefined();
    expect(stream.body.toString()).toBe(`data: ${'x'.repeat(4000)}\n\n`);
  });
});
