/**
 * Compression of the app's replies (the `compression` middleware): the built client's files and the
 * `/api` JSON, CSV and JSONL, gzip or br as the browser accepts, above 1 KB, for types worth it (its
 * `compressible` list: not images or .xlsx). Never `text/event-stream`: a compressor holds bytes back until a
 * block fills, and a run's events must reach the canvas as they happen. `/v1` is left as it is (its fast
 * lane answers before Express; callers are programs on the same network).
 */
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

/** Whether a reply is a server-sent event stream (by its Content-Type). */
export function isEventStream(res: Pick<Response, 'getHeader'>): boolean {
  const type = res.getHeader('Content-Type');
  return typeof type === 'string' && /^\s*text\/event-stream/i.test(type);
}

/** Whether a reply is compressed: not an event stream, and what compression's own filter takes. */
export function shouldCompress(req: Request, res: Response): boolean {
  return !isEventStream(res) && compression.filter(req, res);
}

/**
 * The middleware; mount it before the routes whose replies it compresses.
 * Brotli at quality 4 (compression's default): on a par with gzip -6 in CPU, smaller output.
 */
export function compressReplies(): RequestHandler {
  return compression({ filter: shouldCompress });
}
