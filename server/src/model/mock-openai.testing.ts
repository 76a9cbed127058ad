import { isRecord } from '@shared/json.js';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat.completion body as a server sends it (the fixtures' shape). */
export type Completion = Record<string, unknown>;

/** A scripted OpenAI-compatible endpoint on 127.0.0.1 for tests. */
export interface MockOpenAI {
  /** `http://127.0.0.1:<port>/v1` */
  url: string;
  /** Replies for the next calls, served in order; a call with none left gets a 500. */
  replies: Completion[];
  /** Every request body received. */
  requests: Array<Record<string, unknown>>;
  /** Answer a request carrying `stream_options` with a 400, as some older servers do. */
  rejectStreamOptions: boolean;
  /** When set, every call is answered with this HTTP status and an error body (e.g. 503, an overloaded server). */
  failWith?: number;
  /** Milliseconds to wait before answering each call. */
  delayMs?: number;
  close(): Promise<void>;
}

/**
 * Starts the mock. A non-streamed call gets the next completion as it is; a streamed call gets the same
 * completion the way vLLM streams one: a role chunk, the reasoning (`reasoning_content` or `reasoning`,
 * as the fixture names it) and the content in small deltas, a chunk with the finish_reason, and the
 * usage in a last chunk with no choices when the request asked for it (stream_options.include_usage) and
 * the completion has it. Writing stops when the client goes away (`res.on('close')`).
 */
export async function startMockOpenAI(): Promise<MockOpenAI> {
  const mock: MockOpenAI = { url: '', replies: [], requests: [], rejectStreamOptions: false, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    void readJson(req).then(async (body) => {
      mock.requests.push(body);
      if (mock.delayMs) await new Promise((resolve) => setTimeout(resolve, mock.delayMs));
      if (mock.failWith !== undefined) {
        res.writeHead(mock.failWith, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `mock: status ${mock.failWith}` } }));
        return;
      }
      if (mock.rejectStreamOptions && body.stream_options !== undefined) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: "unknown field 'stream_options'", type: 'invalid_request_error' } }));
        return;
      }
      const reply = mock.replies.shift();
      if (!reply) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'mock: no reply left' } }));
        return;
      }
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let closed = false;
      res.on('close', () => (closed = true));
      const wantsUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
      for (const chunk of chunksOf(reply, wantsUsage)) if (!closed) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (!closed) res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  mock.close = () => new Promise((resolve) => server.close(() => resolve()));
  return mock;
}

function chunksOf(reply: Completion, wantsUsage: boolean): Completion[] {
  const choice = Array.isArray(reply.choices) && isRecord(reply.choices[0]) ? reply.choices[0] : {};
  const message = isRecord(choice.message) ? choice.message : {};
  const head = { id: reply.id, object: 'chat.completion.chunk', created: reply.created, model: reply.model };
  const delta = (d: Record<string, unknown>, finish: unknown = null) => ({ ...head, choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] });
  const chunks: Completion[] = [delta({ role: 'assistant', content: '' })];
  for (const field of ['reasoning_content', 'reasoning', 'refusal', 'content']) {
    const text = message[field];
    if (typeof text === 'string') for (const piece of pieces(text)) chunks.push(delta({ [field]: piece }));
  }
  chunks.push(delta({}, choice.finish_reason ?? 'stop'));
  if (wantsUsage && reply.usage) chunks.push({ ...head, choices: [], usage: reply.usage });
  return chunks;
}

/** Text in pieces of a few characters, as tokens arrive. */
function pieces(text: string): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += 7) out.push(chars.slice(i, i + 7).join(''));
  return out;
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        const value: unknown = JSON.parse(data);
        resolve(isRecord(value) ? value : {});
      } catch {
        resolve({});
      }
    });
  });
}
