/**
 * A run as `GET /v1/runs/{id}` shows it: the summary plus a per-node trace built from its events.
 */
import { RunErrorSchema, RunEventSchema, type RunEvent } from '@shared/events.js';
import { UsageSchema } from '@shared/usage.js';
import type { V1RunDetail, V1TraceNode } from '@shared/v1.js';
import type { ApiRunRecord, StoredApiRun } from '../../storage/run-log.js';

/** One trace entry per node event that ended a node (finished, failed without retry, skipped). */
export function traceOf(events: readonly RunEvent[]): V1TraceNode[] {
  const trace: V1TraceNode[] = [];
  for (const e of events) {
    if (e.type === 'node.finished') {
      trace.push({ node_id: e.node_id, kind: e.kind, status: 'finished', inputs: e.inputs, outputs: e.outputs, branch: e.branch, latency_ms: e.latency_ms, usage: e.usage, calls: e.calls });
    } else if (e.type === 'node.failed' && !e.will_retry) {
      trace.push({ node_id: e.node_id, kind: e.kind, status: 'failed', error: e.error, latency_ms: e.latency_ms, calls: e.calls });
    } else if (e.type === 'node.skipped') {
      trace.push({ node_id: e.node_id, kind: e.kind, status: 'skipped' });
    }
  }
  return trace;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A queued (not yet written) run. */
export function detailFromRecord(r: ApiRunRecord): V1RunDetail {
  return {
    run_id: r.id,
    scenario: r.slug,
    version: r.version,
    status: r.status,
    inputs: r.inputs,
    outputs: r.outputs ?? null,
    error: r.error ?? null,
    usage: r.usage,
    latency_ms: r.latencyMs,
    model: r.model || null,
    created_at: new Date(r.createdAt).toISOString(),
    finished_at: iso(r.finishedAt),
    trace: traceOf(r.events),
  };
}

/**
 * JSON drops keys whose value is undefined (the end node has no `inputs`), while the event schema wants
 * `inputs`/`outputs` present: put them back as null before parsing.
 */
function restoreUnknowns(event: unknown): unknown {
  if (typeof event !== 'object' || event === null) return event;
  return { inputs: null, outputs: null, ...event };
}

/** A run read back from the database; stored JSON is parsed again so the types are earned. */
export function detailFromStored(r: StoredApiRun): V1RunDetail {
  const events: RunEvent[] = [];
  for (const e of r.events) {
    const parsed = RunEventSchema.safeParse(restoreUnknowns(e));
    if (parsed.success) events.push(parsed.data);
  }
  const error = RunErrorSchema.safeParse(r.error);
  const usage = UsageSchema.safeParse(r.usage);
  return {
    run_id: r.id,
    scenario: r.slug,
    version: r.version,
    status: r.status,
    inputs: r.inputs,
    outputs: r.outputs ?? null,
    error: error.success ? error.data : null,
    usage: usage.success ? usage.data : null,
    latency_ms: r.latencyMs,
    model: r.model || null,
    created_at: new Date(r.createdAt).toISOString(),
    finished_at: iso(r.finishedAt),
    trace: traceOf(events),
  };
}
