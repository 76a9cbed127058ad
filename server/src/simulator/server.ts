import http from 'node:http';
import { parseJson } from '@shared/json.js';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { SIMULATOR_MODEL, type SimulatorConfig, type SimulatorConfigInput } from './config.js';
import { Simulator, type SimStats } from './simulator.js';
import { ChatBodySchema, chunkLine, completionBody, errorBody, toChatMessages, toResponseFormat, usageLine } from './wire.js';

/** Where the simulator server listens and how it behaves. */
export interface SimulatorServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks any free port. */
  port: number;
  /** Settings (defaults apply), or a Simulator to share with in-process clients. */
  config?: SimulatorConfigInput | SimulatorConfig | Simulator;
}

/** A running simulator server. */
export interface SimulatorServer {
  /** Base URL for an OpenAI client, ending in `/v1`. */
  url: string;
  port: number;
  simulator: Simulator;
  /** Stops listening and drops open connections (streams in flight are aborted). */
  close(): Promise<void>;
  stats(): SimStats;
}

const MAX_BODY_BYTES = 20 * 1024 * 1024;
const STREAM_CHUNKS = 16;
const BODY_CHUNKS = 4;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Starts the simulator as an OpenAI-compatible HTTP server (node:http, keep-alive friendly):
 * POST /v1/chat/completions (plain and SSE), GET /v1/models, GET /health, GET|PUT /sim/config, GET /sim/stats.
 */
export async function startSimulatorServer(options: SimulatorServerOptions): Promise<SimulatorServer> {
  const simulator = options.config instanceof Simulator ? options.config : new Simulator(options.config ?? {});
  const host = options.host ?? '127.0.0.1';
  let sequence = 0;
  const server = http.createServer((req, res) => {
    res.setHeader('x-mofang-simulator', '1');
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, status, errorBody(message, status < 500 ? 'invalid_request_error' : 'server_error'));
    });
  });
  server.keepAliveTimeout = 65_000;

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) return chat(req, res);
    if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return sendJson(res, 200, { object: 'list', data: [{ id: SIMULATOR_MODEL, object: 'model', created: 0, owned_by: 'mofang' }] });
    }
    if (method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok', simulator: SIMULATOR_MODEL });
    if (method === 'GET' && path === '/sim/stats') return sendJson(res, 200, simulator.stats());
    if (method === 'GET' && path === '/sim/config') return sendJson(res, 200, simulator.config);
    if (method === 'PUT' && path === '/sim/config') {
      const patch = z.record(z.string(), z.unknown()).safeParse(parseBody(await readBody(req)));
      if (!patch.success) throw new HttpError(400, 'the body must be a JSON object of settings');
      try {
        return sendJson(res, 200, simulator.updateConfig(patch.data));
      } catch (error) {
        throw new HttpError(400, error instanceof z.ZodError ? describeIssues(error) : String(error));
      }
    }
    throw new HttpError(404, `no route for ${method} ${path || '/'}`);
  }

  async function chat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parsed = ChatBodySchema.safeParse(parseBody(await readBody(req)));
    if (!parsed.success) throw new HttpError(400, `invalid chat completion request: ${describeIssues(parsed.error)}`);
    const body = parsed.data;
    const controller = new AbortController();
    // req 'close' fires once the body is read; only the response's close means the client went away.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
    });
    const id = `chatcmpl-sim-${++sequence}`;
    const created = Math.floor(Date.now() / 1000);
    const stream = body.stream === true;
    const includeUsage = body.stream_options?.include_usage === true;
    const input = { model: body.model ?? SIMULATOR_MODEL, messages: toChatMessages(body), responseFormat: toResponseFormat(body) };
    const startStream = () => {
      if (res.headersSent) return;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(chunkLine(id, created, { role: 'assistant', content: '' }, null, includeUsage));
    };
    try {
      for await (const event of simulator.run(input, { signal: controller.signal, chunks: stream ? STREAM_CHUNKS : BODY_CHUNKS })) {
        if (controller.signal.aborted) break;
        if (event.type === 'delta') {
          if (!stream) continue;
          startStream();
          res.write(chunkLine(id, created, { content: event.text }, null, includeUsage));
        } else if (event.type === 'done') {
          if (!stream) return sendJson(res, 200, completionBody(id, created, event.reply));
          startStream();
          // vLLM's reasoning parser streams the thinking first; here it follows the answer's deltas, which a reader keeps apart all the same.
          if (event.reply.reasoning) res.write(chunkLine(id, created, { reasoning_content: event.reply.reasoning }, null, includeUsage));
          res.write(chunkLine(id, created, {}, 'stop', includeUsage));
          if (includeUsage) res.write(usageLine(id, created, event.reply));
          res.end('data: [DONE]\n\n');
        } else if (event.fault === 'rate_limited') {
          const seconds = Math.max(0, Math.ceil(event.retryAfterSeconds));
          res.setHeader('retry-after', String(seconds));
          res.setHeader('retry-after-ms', String(Math.round(event.retryAfterSeconds * 1000)));
          const why = event.queueFull ? 'the simulator queue is full' : 'simulated rate limit';
          sendJson(res, 429, errorBody(`${why} (mofang-simulator), retry after ${seconds} s`, 'rate_limit_exceeded', 'rate_limit_exceeded'));
        } else if (event.fault === 'server_error') {
          sendJson(res, 500, errorBody('simulated server error (mofang-simulator)', 'server_error'));
        } else if (event.fault === 'timeout') {
          sendJson(res, 504, errorBody('simulated upstream timeout (mofang-simulator)', 'timeout'));
        } else if (stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
          res.end(`data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\n\n`);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`{"id":"${id}","object":"chat.completion","model":"${SIMULATOR_MODEL}","choices":[{"index":0,"message":{"role":"assistant","content":"`);
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? portOf(address) : options.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    simulator,
    stats: () => simulator.stats(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function portOf(address: AddressInfo): number {
  return address.port;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'request body too large'));
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  return parseJson(text, () => {
    throw new HttpError(400, 'the request body is not valid JSON');
  });
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}
