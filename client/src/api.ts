import { isRecord } from '@shared/json';
import type { Graph } from '@shared/graph';
import type { CompileReply, Health, RunDetail, RunSummary, Scenario, ScenarioSummary } from '@shared/api';
import { noteReply, sessionHeaders } from './auth/session';

export type { Health, RunDetail, RunSummary, Scenario, ScenarioSummary };

/** An error the API answered with, keeping its code, HTTP status and `details` (compile problems, the failing line, …). */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * Sends a request to `url` (an absolute path such as `/api/keys`) and returns the parsed JSON reply. A
 * body is sent as JSON, or as it is when it is a string or a Blob with its own `contentType` (an upload).
 * A change carries the session's `X-CSRF-Token`; a 401 `unauthenticated` tells the auth store, which sends
 * the user to the sign-in page, and still rejects with the ApiError.
 */
export async function sendJson<T>(method: string, url: string, body?: unknown, contentType?: string): Promise<T> {
  const raw = (typeof body === 'string' || body instanceof Blob) && contentType !== undefined;
  const res = await fetch(url, {
    method,
    headers: { ...sessionHeaders(method), ...(body === undefined ? {} : { 'content-type': raw ? contentType : 'application/json' }) },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let reply: { data: T } | undefined;
  try {
    // The server's JSON is the documented shape; JSON.parse is the one untyped boundary (an empty body is null).
    reply = { data: text ? JSON.parse(text) : null };
  } catch {
    reply = undefined;
  }
  if (!res.ok) {
    const err: unknown = isRecord(reply?.data) ? reply.data.error : undefined;
    const e = isRecord(err) ? err : {};
    noteReply(res.status, String(e.code ?? res.status));
    throw new ApiError(res.status, String(e.code ?? res.status), String(e.message ?? res.statusText), e.details);
  }
  if (!reply) throw new ApiError(res.status, 'invalid_reply', `the server's reply to ${method} ${url} is not JSON`);
  return reply.data;
}

function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  return sendJson<T>(method, `/api${path}`, body);
}

/** Narrowing helper for JSON of unknown shape (the shared one, re-exported for the client's modules). */
export { isRecord };

/** Some list endpoints answer with an array, others wrap it: accept both. */
function listOf<T>(data: unknown, key: string): T[] {
  if (Array.isArray(data)) return data;
  if (isRecord(data) && Array.isArray(data[key])) return data[key];
  return [];
}

export const api = {
  health: () => request<Health>('GET', '/health'),
  listScenarios: async (q = '') => listOf<ScenarioSummary>(await request<unknown>('GET', `/scenarios${q ? `?q=${encodeURIComponent(q)}` : ''}`), 'scenarios'),
  getScenario: (id: string) => request<Scenario>('GET', `/scenarios/${encodeURIComponent(id)}`),
  createScenario: (body: { name: string; description?: string; graph?: Graph }) => request<Scenario>('POST', '/scenarios', body),
  updateScenario: (id: string, body: { name?: string; description?: string; graph?: Graph; revision?: number }) =>
    request<Scenario>('PUT', `/scenarios/${encodeURIComponent(id)}`, body),
  deleteScenario: (id: string) => request<unknown>('DELETE', `/scenarios/${encodeURIComponent(id)}`),
  duplicateScenario: (id: string) => request<Scenario>('POST', `/scenarios/${encodeURIComponent(id)}/duplicate`),
  compile: (graph: Graph) => request<CompileReply>('POST', '/compile', graph),
  listRuns: async (id: string) => listOf<RunSummary>(await request<unknown>('GET', `/scenarios/${encodeURIComponent(id)}/runs`), 'runs'),
  getRun: (runId: string) => request<RunDetail>('GET', `/runs/${encodeURIComponent(runId)}`),
};
