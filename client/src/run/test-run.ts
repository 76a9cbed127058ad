import { RunEventSchema, type Graph, type RunEvent } from '@shared/index';
import { parseJson } from '@shared/json';
import { ApiError, isRecord } from '../api';
import { noteReply, sessionHeaders } from '../auth/session';
import { readSse } from './sse';

/**
 * Starts a test run of a scenario's current graph and streams its events to `onEvent` as they come.
 * Resolves when the stream ends; rejects with an ApiError when the server refuses the run.
 */
export async function streamTestRun(scenarioId: string, inputs: Record<string, unknown>, graph: Graph, onEvent: (e: RunEvent) => void, signal?: AbortSignal): Promise<void> {
  const res = await fetch(`/api/scenarios/${encodeURIComponent(scenarioId)}/test-run`, {
    method: 'POST',
    headers: { ...sessionHeaders('POST'), 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ inputs, graph }),
    signal,
  });
  if (!res.ok || !res.body) {
    let code = String(res.status);
    let message = res.statusText;
    let details: unknown;
    try {
      const body: unknown = await res.json();
      const err = isRecord(body) ? body.error : undefined;
      if (isRecord(err)) {
        code = String(err.code ?? code);
        message = String(err.message ?? message);
        details = err.details;
        if (isRecord(err.details) || Array.isArray(err.details)) message += `: ${JSON.stringify(err.details).slice(0, 400)}`;
      }
    } catch {
      // not JSON: keep the status text
    }
    noteReply(res.status, code);
    // With its details, so errorText translates it (the issues of an invalid_inputs, a compile's problems).
    throw new ApiError(res.status, code, message, details);
  }
  for await (const msg of readSse(res.body, signal)) {
    const data = parseJson(msg.data);
    if (data === undefined) continue;
    // JSON drops an undefined `inputs` (the end node's); default it rather than lose the event.
    const parsed = RunEventSchema.safeParse(isRecord(data) ? { inputs: null, ...data } : data);
    if (parsed.success) onEvent(parsed.data);
    else if (msg.event !== 'result') console.warn('unreadable run event', msg.event, parsed.error.issues[0]);
  }
}
