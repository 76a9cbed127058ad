import type { HttpConfig } from '@shared/nodes/http.js';
import { NodeError, type ServerNode } from './kit.js';

const EXCERPT_CHARS = 300;
/** Header values shown as `***` in the trace. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key)$|token|secret|password/i;

/**
 * HTTP: renders the URL, headers and body, calls through the injected guarded requester and outputs
 * `{ status, headers, body }`, the body parsed when `responseType` is `json` (an empty body is `null`).
 * A JSON-looking body gets `Content-Type: application/json` unless a content type is set.
 * With `failOnStatus`, a 4xx/5xx fails the node (`http_status`, retryable for 5xx and 429).
 */
export const httpNode: ServerNode<HttpConfig> = {
  compile(config, ctx) {
    const http = ctx.services.http;
    const url = ctx.templates.url;
    const body = ctx.templates.body;
    const headers = config.headers.map((header, i) => ({ name: header.name, template: ctx.templates[`headers.${i}.value`] }));
    return {
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      async run(exec) {
        const target = url ? url.renderText(exec.scope) : config.url;
        const payload = body ? body.renderText(exec.scope) : config.body;
        const sent: Record<string, string> = {};
        for (const header of headers) sent[header.name] = header.template ? header.template.renderText(exec.scope) : '';
        if (looksLikeJson(payload) && !Object.keys(sent).some((name) => name.toLowerCase() === 'content-type')) {
          sent['Content-Type'] = 'application/json';
        }
        const trace = { method: config.method, url: target, headers: masked(sent), body: payload };
        const response = await http.request({
          method: config.method,
          url: target,
          headers: sent,
          body: payload === '' ? undefined : payload,
          timeoutMs: config.timeoutMs,
          signal: exec.signal,
        });
        if (config.failOnStatus && response.status >= 400) throw statusError(config.method, target, response);
        const parsed = config.responseType === 'json' ? parseJson(response.body, target) : response.body;
        return { outputs: { status: response.status, headers: response.headers, body: parsed }, inputs: trace };
      },
    };
  },
};

/** Whether a request body is a JSON object or array (so it deserves a JSON content type). */
export function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

function parseJson(text: string, url: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new NodeError('http_bad_json', `the response of ${url} is not JSON (set the response type to text to keep it as text): ${excerpt(text)}`, {
      details: { excerpt: excerpt(text) },
    });
  }
}

function statusError(method: string, url: string, response: { status: number; headers: Record<string, string>; body: string }): NodeError {
  const retryable = response.status >= 500 || response.status === 429;
  const retryAfterMs = retryAfter(response.headers['retry-after']);
  return new NodeError('http_status', `${method} ${url} answered ${response.status}: ${excerpt(response.body)}`, {
    retryable,
    retryAfterMs,
    details: { status: response.status, body: excerpt(response.body) },
  });
}

/** Reads a Retry-After header given in seconds (dates are ignored). */
function retryAfter(header: string | undefined): number | undefined {
  if (!header || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

function masked(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = SECRET_HEADER.test(name) ? '***' : value;
  return out;
}
