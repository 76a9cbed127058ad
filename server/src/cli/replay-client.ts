/**
 * The few `/v1` calls `mofang replay` makes, over fetch with the API key as bearer: JSON requests (a 429
 * waits its `Retry-After` and tries again) and a session's event stream (SSE read with
 * eventsource-parser; a stream cut before `session.ended` resumes with `Last-Event-ID`).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Where the server is and the key to call it with. */
export interface ReplayApi {
  /** The server's origin, e.g. http://127.0.0.1:3000 (no trailing slash). */
  base: string;
  key: string;
}

/** A reply other than 2xx: its status and the `/v1` error's code and message. */
export class ReplayHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReplayHttpError';
  }
}

/** The server could not be reached at all (refused, reset, unknown host, …). */
export class ReplayUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url} (${reason})`);
    this.name = 'ReplayUnreachableError';
  }
}

/** Most times a request answered 429 is tried again. */
const RATE_LIMIT_RETRIES = 5;

/** The lowest-level cause of a failed fetch: `ECONNREFUSED`, `ENOTFOUND`, or its message. */
function causeOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (!(current.cause instanceof Error)) return current.message;
    current = current.cause;
  }
  return String(current);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function fetchOrUnreachable(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ReplayUnreachableError(new URL(url).origin, causeOf(error));
  }
}

/**
 * Sends a JSON request to `path` (relative to the base, or absolute) and returns the parsed reply.
 * Throws {@link ReplayHttpError} for a non-2xx reply (after waiting out up to 5 rate limits),
 * {@link ReplayUnreachableError} when no reply came, and the abort reason when `signal` fires.
 */
export async function requestJson(api: ReplayApi, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
  const url = new URL(path, `${api.base}/`).href;
  for (let attempt = 0; ; attempt++) {
    const res = await fetchOrUnreachable(url, {
      method,
      headers: { authorization: `Bearer ${api.key}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    if (res.status === 429 && attempt < RATE_LIMIT_RETRIES) {
      const seconds = Number(res.headers.get('retry-after'));
      await sleep(Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 1000, signal);
      continue;
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok) return json;
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${res.status}`;
    const message = typeof error?.message === 'string' ? error.message : `${res.status} ${res.statusText}`;
    throw new ReplayHttpError(res.status, code, message);
  }
}

/** One event of a session stream: its name, its data parsed as JSON, its id. */
export interface StreamEvent {
  name: string;
  data: unknown;
  id: string | undefined;
}

/**
 * Follows a session's event stream until the server closes it after `session.ended` (or `signal` fires),
 * calling `onEvent` for each event in order. A stream that closes or breaks earlier is opened again with
 * `Last-Event-ID` (at most 3 times in a row without an event in between). Resolves once it is over;
 * rejects with {@link ReplayHttpError} when the server refuses the stream.
 */
export async function followEvents(api: ReplayApi, eventsUrl: string, onEvent: (event: StreamEvent) => void, signal: AbortSignal): Promise<void> {
  const url = new URL(eventsUrl, `${api.base}/`).href;
  let lastId: string | undefined;
  let ended = false;
  let failures = 0;
  while (!ended && !signal.aborted) {
    try {
      const res = await fetchOrUnreachable(url, {
        headers: { authorization: `Bearer ${api.key}`, accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
      if (!res.ok || !res.body) {
        const text = await res.text().catch(() => '');
        const error = (() => {
          try {
            return (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
          } catch {
            return undefined;
          }
        })();
        throw new ReplayHttpError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? `the event stream answered ${res.status}`);
      }
      const parser = createParser({
        onEvent(message: EventSourceMessage) {
          failures = 0;
          if (message.id) lastId = message.id;
          let data: unknown = message.data;
          try {
            data = JSON.parse(message.data);
          } catch {
            // not JSON: hand it on as text
          }
          const name = message.event ?? 'message';
          if (name === 'session.ended') ended = true;
          onEvent({ name, data, id: message.id });
        },
      });
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ReplayHttpError) throw error;
      if (++failures > 3) throw error;
      await sleep(200 * failures, signal);
      continue;
    }
    if (!ended && ++failures > 3) throw new Error('the event stream kept closing before the session ended');
  }
}
