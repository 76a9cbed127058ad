import type { HttpConfig } from '@shared/nodes/http.js';
import { parseJson } from '@shared/json.js';
import { buildUrl, fieldValue, headerValue, rawBody } from './http-request.js';
import { NodeError, type CompiledTemplate, type Scope, type ServerNode } from './kit.js';

const EXCERPT_CHARS = 300;
/** Header values shown as `***` in the trace. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key)$|token|secret|password/i;

/**
 * HTTP: renders the URL, query parameters, headers and body, calls through the injected guarded requester
 * and outputs `{ status, headers, body }`, the body parsed when `responseType` is `json` (an empty body is
 * `null`). Query values are encoded into the URL; a JSON body is built as an object from its fields and
 * serialised whole (`application/json`); a raw body is sent with its content type (JSON content must
 * parse). A Content-Type header, if set, wins. With `failOnStatus`, a 4xx/5xx fails the node
 * (`http_status`, retryable for 5xx and 429).
 */
export const httpNode: ServerNode<HttpConfig> = {
  compile(config, ctx) {
    const text = (field: string, fallback: string) => {
      const template = ctx.templates[field];
      return (scope: Scope) => (template ? template.renderText(scope) : fallback);
    };
    const url = text('url', config.url);
    const query = config.query.map((q, i) => ({ name: q.name, value: text(`query.${i}.value`, q.value) }));
    const headers = config.headers.map((h, i) => ({ name: h.name, value: text(`headers.${i}.value`, '') }));
    const body = bodyBuilder(config.body, ctx.templates);
    return {
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      async run(exec) {
        const target = buildUrl(url(exec.scope), query.map((q) => ({ name: q.name, value: q.value(exec.scope) })));
        const sent: Record<string, string> = {};
        headers.forEach((header, i) => (sent[header.name] = headerValue(header.name, header.value(exec.scope), i)));
        const payload = body(exec.scope);
        if (payload && !Object.keys(sent).some((name) => name.toLowerCase() === 'content-type')) sent['Content-Type'] = payload.contentType;
        const trace = { method: config.method, url: target, headers: masked(sent), body: payload?.text ?? '' };
        const response = await exec.services.http.request({
          method: config.method,
          url: target,
          headers: sent,
          body: payload?.text,
          timeoutMs: config.timeoutMs,
          signal: exec.signal,
        });
        if (config.failOnStatus && response.status >= 400) throw statusError(config.method, target, response);
        const parsed = config.responseType === 'json' ? parseBody(response.body, target) : response.body;
        return { outputs: { status: response.status, headers: response.headers, body: parsed }, inputs: trace };
      },
    };
  },
};

/** What the body mode sends, or null for no body. */
function bodyBuilder(body: HttpConfig['body'], templates: Record<string, CompiledTemplate>): (scope: Scope) => { text: string; contentType: string } | null {
  if (body.mode === 'json') {
    const fields = body.fields.map((f, i) => ({ ...f, index: i, template: templates[`body.fields.${i}.value`] }));
    return (scope) => {
      // A null-prototype object: a field named __proto__ is a key like any other.
      const object: Record<string, unknown> = Object.create(null);
      for (const f of fields) object[f.name] = fieldValue(f.name, f.index, f.type, f.template ? f.template.render(scope) : f.value);
      return { text: JSON.stringify(object), contentType: 'application/json' };
    };
  }
  if (body.mode === 'raw') {
    const template = templates['body.text'];
    return (scope) => {
      const text = rawBody(template ? template.renderText(scope) : body.text, body.contentType);
      return text === '' ? null : { text, contentType: body.contentType };
    };
  }
  return () => null;
}

function parseBody(text: string, url: string): unknown {
  if (text.trim() === '') return null;
  return parseJson(text, () => {
    throw new NodeError('http_bad_json', `the response of ${url} is not JSON (set the response type to text to keep it as text): ${excerpt(text)}`, {
      details: { excerpt: excerpt(text) },
    });
  });
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
