/**
 * A fetch helper for the publishing, keys and run-log admin APIs. Unlike `api.ts`'s, its errors keep the
 * reply's `details` (a publish that does not compile answers 422 with the compile problems there).
 */
import { ApiError, isRecord } from '../api';

/** An API error with the `details` the server sent (compile problems, failing paths, …). */
export class DetailedApiError extends ApiError {
  constructor(status: number, code: string, message: string, public readonly details: unknown) {
    super(status, code, message);
  }
}

/** Sends a JSON request to `path` (an absolute path such as `/api/keys`) and returns the parsed reply. */
export async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // The server's JSON is the documented shape; JSON.parse is the one untyped boundary.
  const data: T = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err: unknown = isRecord(data) ? data.error : undefined;
    const e = isRecord(err) ? err : {};
    throw new DetailedApiError(res.status, String(e.code ?? res.status), String(e.message ?? res.statusText), e.details);
  }
  return data;
}

/** `?a=1&b=2` from the defined entries of a record ('' when none). */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The message of anything thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
