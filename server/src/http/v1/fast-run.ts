/**
 * The `/v1` fast lane: `POST /v1/scenarios/{slug}/run` answered as JSON, and a live session's
 * `POST /v1/sessions/{id}/turns` (session-turns.ts), on Node's own request and response, in front of Express. Express's request handling (its request and response
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
import { tooLargeMessage } from '../errors.js';
import { INVALID_JSON, sendBodyTooLarge, sendInternalError, sendInvalidJson, sendV1Error, wantsEventStream } from './respond.js';
import type { PreparedRun, RunOperation } from './run-route.js';
import type { LiveSessions } from '../../sessions/ports.js';
import { postTurns, sendSessionError } from './session-turns.js';
import type { V1Runtime } from './runtime.js';
import type { KeyRecord } from '../../storage/keys.js';

// The query ends at a `#`, as in the URL parser Express uses (parseurl).
const RUN_PATH = /^\/v1\/scenarios\/([^/?#]+)\/run(?:\?([^#]*))?(?:#.*)?$/;
const TURNS_PATH = /^\/v1\/sessions\/([^/?#]+)\/turns(?:\?[^#]*)?(?:#.*)?$/;

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
export function runFastLane(operation: RunOperation, runtime: V1Runtime, sessions?: LiveSessions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = bytes.parse(runtime.config.bodyLimit) ?? 100 * 1024;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const run = url.startsWith('/v1/scenarios/') ? RUN_PATH.exec(url) : null;
    const turns = !run && sessions && url.startsWith('/v1/sessions/') ? TURNS_PATH.exec(url) : null;
    const match = run ?? turns;
    if (!match || (run && wantsEventStream(req.headers.accept))) return false;
    const encoding = req.headers['content-encoding'];
    if ((encoding !== undefined && encoding.toLowerCase() !== 'identity') || !isUtf8Json(req.headers['content-type'])) return false;
    let name: string;
    try {
      name = decodeURIComponent(match[1] as string);
    } catch {
      return false;
    }
    // The run route's refusals carry the run id and name the limit's setting; the session routes' do neither.
    const tooLarge = run ? () => sendBodyTooLarge(res, limit, 'MOFANG_API_BODY_LIMIT') : () => sendSessionError(res, 413, 'payload_too_large', tooLargeMessage({ limit }));
    const take = (key: KeyRecord | undefined): void => {
      if (!key) {
        req.resume();
        return;
      }
      readBody(req, res, limit, tooLarge, (text) => {
        if (run) return answer(operation, { slug: name, version: versionOf(match[2]), text }, key, res);
        const body = parseBody(text, res, sendSessionError);
        if (body !== NO_BODY && sessions) postTurns(sessions, key, name, body, res).catch((error: unknown) => sendInternalError(res, error));
      });
    };
    // A key seen before is answered at once; a new one after a store lookup (the body waits, unread, meanwhile).
    const authorized = authorize(runtime, req.headers.authorization, res);
    if (!(authorized instanceof Promise)) take(authorized);
    else {
      authorized.then(take, (error: unknown) => {
        req.resume();
        sendInternalError(res, error);
      });
    }
    return true;
  };
}

/** Reads the body up to `limit` bytes (refusing past it, on Content-Length first), then calls `done`. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number, tooLarge: () => void, done: (text: string) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    tooLarge();
    req.resume();
    return;
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
    try {
      done(Buffer.concat(parts, size).toString('utf8'));
    } catch (error) {
      sendInternalError(res, error);
    }
  });
}

/** What {@link parseBody} returns when it has answered the request itself. */
const NO_BODY = Symbol('no body');

/**
 * Parses a body as body-parser's strict `json()` does (an empty body is `{}`, a byte order mark is
 * dropped, only an object or array at the top), then checks the JSON limits (refused with `send`).
 */
function parseBody(raw: string, res: ServerResponse, send: Parameters<typeof refuseBodyPastLimits<ServerResponse>>[2]): unknown {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.length === 0) return {};
  const invalid = () => (send === sendV1Error ? sendInvalidJson(res) : send(res, 400, 'invalid_json', INVALID_JSON));
  let body: unknown;
  if (NOT_OBJECT_OR_ARRAY.test(text)) {
    invalid();
    return NO_BODY;
  }
  try {
    body = JSON.parse(text);
  } catch {
    invalid();
    return NO_BODY;
  }
  return refuseBodyPastLimits(body, res, send) ? NO_BODY : body;
}

/** Parses and checks the body like the Express route's parsers, then runs. */
function answer(operation: RunOperation, call: { slug: string; version: unknown; text: string }, key: KeyRecord, res: ServerResponse): void {
  const body = parseBody(call.text, res, sendV1Error);
  if (body === NO_BODY) return;
  const prepared = operation.prepare({ slug: call.slug, version: call.version, body }, key, res);
  const go = (run: PreparedRun | undefined) => {
    if (run) operation.runAsJson(run, key, res).catch((error: unknown) => sendInternalError(res, error));
  };
  // At once when the plan is cached; after the store read otherwise.
  if (prepared instanceof Promise) prepared.then(go, (error: unknown) => sendInternalError(res, error));
  else go(prepared);
}
