import type { Graph } from '@shared/graph';
import type { CompileReply, Health, RunDetail, RunSummary, Scenario, ScenarioSummary } from '@shared/api';

export type { Health, RunDetail, RunSummary, Scenario, ScenarioSummary };

/** An error the API answered with, keeping its code and HTTP status. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api${path}`, {
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
    throw new ApiError(res.status, String(e.code ?? res.status), String(e.message ?? res.statusText));
  }
  return data;
}

/** Narrowing helper for JSON of unknown shape. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
