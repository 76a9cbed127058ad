import { ModelError, type ModelErrorCode } from './types.js';

/** What the caller knows about why a call ended, beyond the error itself. */
export interface FailureContext {
  /** e.g. `vllm@http://10.0.0.5:8000/v1` */
  endpoint: string;
  /** Our own per-call deadline fired. */
  timedOut: boolean;
  timeoutMs: number;
  /** The caller's signal aborted. */
  aborted: boolean;
}

/** Maps an HTTP status to the contract's error code. */
export function codeForStatus(status: number): ModelErrorCode {
  if (status === 400 || status === 422) return 'bad_request';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** Response headers as undici gives them (lower-case names, a string or a list). */
export type RawHeaders = Record<string, string | string[] | undefined>;

function header(headers: RawHeaders, name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/**
 * Milliseconds to wait from `retry-after-ms`, or `retry-after` as seconds or an HTTP date;
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The ModelError for a reply with a non-2xx status: the server's own message (OpenAI's
 * `{"error": {"message"}}`, vLLM's `{"message"}` or `{"detail"}`, or the text) and, for 429 and 5xx,
 * its Retry-After.
 */
export function httpFailure(endpoint: string, status: number, headers: RawHeaders, body: string): ModelError {
  const code = codeForStatus(status);
  const retryAfterMs = code === 'rate_limited' || code === 'server_error' ? parseRetryAfter({ get: (name) => header(headers, name) }) : undefined;
  return new ModelError(code, `${endpoint}: HTTP ${status}: ${serverMessage(body)}`, { status, retryAfterMs });
}

/** The message in an error body, whatever its shape; the start of the text otherwise. */
export function serverMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const error: unknown = Reflect.get(parsed, 'error');
      const inner = typeof error === 'object' && error !== null ? Reflect.get(error, 'message') : error;
      for (const candidate of [inner, Reflect.get(parsed, 'message'), Reflect.get(parsed, 'detail')]) {
        if (typeof candidate === 'string' && candidate) return candidate.slice(0, 500);
      }
    }
  } catch {
    // not JSON: the text itself
  }
  return body.trim().slice(0, 500) || '(no body)';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The first `code` found along an error's cause chain (undici wraps socket errors in `cause`). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns whatever the HTTP client threw into a ModelError naming the endpoint. */
export function toModelError(error: unknown, ctx: FailureContext): ModelError {
  if (error instanceof ModelError) return error;
  const at = ctx.endpoint;
  if (ctx.timedOut) return new ModelError('timeout', `${at}: no reply within ${ctx.timeoutMs} ms`, { cause: error });
  if (ctx.aborted || (error instanceof Error && error.name === 'AbortError')) return new ModelError('aborted', `${at}: the call was aborted`, { cause: error });
  if (error instanceof SyntaxError) return new ModelError('malformed_response', `${at}: the reply is not valid JSON (${error.message})`, { cause: error });
  const code = causeCode(error);
  if (code && NETWORK_CODES.has(code)) return new ModelError('network', `${at}: cannot reach the endpoint (${code})`, { cause: error });
  if (error instanceof TypeError && /terminated|fetch failed|socket|other side closed/i.test(error.message)) {
    return new ModelError('network', `${at}: connection lost (${code ?? messageOf(error)})`, { cause: error });
  }
  return new ModelError('malformed_response', `${at}: unexpected reply (${messageOf(error)})`, { cause: error });
}
