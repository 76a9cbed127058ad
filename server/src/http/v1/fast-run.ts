/**
 * The run operation's fast lane: `POST /v1/scenarios/{slug}/run` answered as JSON on Node's own
 * request and response, in front of Express. Express's request handling (its request and response
 * prototypes, its router, body-parser) costs ≈ 150 µs of CPU a request on this project's 2-core
 * machine (a bare route: 200 µs through Express 5, 47 µs on Node's server), more than the whole run of
 * a one-node scenario. The lane takes the common request: the exact path, a JSON body
 * (`application/json`, UTF-8, no Content-Encoding) and no request for server-sent events. Anything
 * else (SSE, a gzip body, another charset, a missing Content-Type, the path in another case or with a
 * trailing slash) goes to the Express route, which answers it as it always did. Both share
 * {@link authorize} and {@link RunOperation}, and the lane reads the body as body-parser's `json()` does:
 * the same limit (MOFANG_API_BODY_LIMIT, checked on Content-Length first), an empty body as `{}`, a byte
 * order mark dropped, only an object or array at the top (strict), then the JSON limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import bytes from 'bytes';
import { refuseBodyPastLimits } from '../json-limits.js';
import { authorize } from './auth.js';
import { sendBodyTooLarge, sendInternalError, sendInvalidJson, sendV1Error, wantsEventStream } from './respond.js';
import type { RunOperation } from './run-route.js';
import type { V1Runtime } from './runtime.js';
import type { KeyRecord } from '../../storage/keys.js';

// The query ends at a `#`, as in the URL parser Express uses (parseurl).
const RUN_PATH = /^\/v1\/scenarios\/([^/?#]+)\/run(?:\?([^#]*))?(?:#.*)?$/;

/**
 * Whether a Content-Type is JSON in UTF-8: a charset parameter absent or `utf-8` (body-parser refuses
 * any charset not starting with `utf-` with 415, `utf8` included: that stays with Express).
 */
function isUtf8Json(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...params] = contentType.split(';');
  if (type.trim().toLowerCase() !== 'application/json') return false;
  for (const param of params) {
    const [name, value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8') return false;
  }
  return true;
}

/**
 * The request's `version` query values as Express's "simple" query parser (node:querystring, with its
 * 1000-key cap) gives them: undefined, one string, or a list.
 */
function versionOf(query: string | undefined): unknown {
  return query ? parseQuery(query).version : undefined;
}

/** A body that body-parser's strict `json()` would reject: its first character is not `{` or `[`. */
const NOT_OBJECT_OR_ARRAY = /^[\x20\x09\x0a\x0d]*[^\x20\x09\x0a\x0d{[]/;

/**
 * The lane: call it first with every request; it returns true when it took the request (and will
 * answer it), false when the request is for Express.
 */
export function runFastLane(operation: RunOperation, runtime: V1Runtime): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = bytes.parse(runtime.config.bodyLimit) ?? 100 * 1024;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    if (!url.startsWith('/v1/scenarios/')) return false;
    const match = RUN_PATH.exec(url);
    if (!match || wantsEventStream(req.headers.accept)) return false;
    const encoding = req.headers['content-encoding'];
    if ((encoding !== undefined && encoding.toLowerCase() !== 'identity') || !isUtf8Json(req.headers['content-type'])) return false;
    let slug: string;
    try {
      slug = decodeURIComponent(match[1]);
    } catch {
      return false;
    }
    const version = versionOf(match[2]);
    const key = authorize(runtime, req.headers.authorization, res);
    if (!key) {
      req.resume();
      return true;
    }
    const tooLarge = () => sendBodyTooLarge(res, limit, 'MOFANG_API_BODY_LIMIT');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      tooLarge();
      req.resume();
      return true;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        parts.length = 0;
        tooLarge();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => {
      if (over || res.writableEnded) return;
      answer(operation, { slug, version, text: Buffer.concat(parts, size).toString('utf8') }, key, res);
    });
    return true;
  };
}

/** Parses and checks the body like the Express route's parsers, then runs. */
function answer(operation: RunOperation, call: { slug: string; version: unknown; text: string }, key: KeyRecord, res: ServerResponse): void {
  try {
    const text = call.text.charCodeAt(0) === 0xfeff ? call.text.slice(1) : call.text;
    let body: unknown = {};
    if (text.length > 0) {
      if (NOT_OBJECT_OR_ARRAY.test(text)) return sendInvalidJson(res);
      try {
        body = JSON.parse(text);
      } catch {
        return sendInvalidJson(res);
      }
      if (refuseBodyPastLimits(body, res, sendV1Error)) return;
    }
    const run = operation.prepare({ slug: call.slug, version: call.version, body }, key, res);
    if (run) operation.runAsJson(run, key, res).catch((error: unknown) => sendInternalError(res, error));
  } catch (error) {
    sendInternalError(res, error);
  }
}
