/**
 * A fetch helper for the publishing, keys and run-log admin APIs. Unlike `api.ts`'s, its errors keep the
 * reply's `details` (a publish that does not compile answers 422 with the compile problems there).
 */
import { ApiError, sendJson } from '../api';
import { apiErrorText } from '../i18n/api-error-text';

/** The API error with the reply's `details`; one class for every client module. */
export { ApiError as DetailedApiError };

/** Sends a JSON request to `path` (an absolute path such as `/api/keys`) and returns the parsed reply. */
export function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  return sendJson<T>(method, path, body);
}

/** `?a=1&b=2` from the defined entries of a record ('' when none). */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Anything thrown, in the UI's language (an API error by its code, details and parameters). */
export function errorText(error: unknown): string {
  return apiErrorText(error);
}
