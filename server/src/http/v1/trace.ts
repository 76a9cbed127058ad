/**
 * A run as `GET /v1/runs/{id}` shows it: the summary plus a per-node trace built from its events.
 */
import { RunErrorSchema, RunEventSchema, type RunEvent } from '@shared/events.js';
import { UsageSchema } from '@shared/usage.js';
import { simulatedModel } from '@shared/simulated.js';
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

/** What both sources of a run share; the trace is built from its events. */
type DetailBase = Omit<V1RunDetail, 'trace' | 'created_at' | 'finished_at'> & { createdAt: number; finishedAt: number | null };

function detail(base: DetailBase, events: readonly RunEvent[]): V1RunDetail {
  const { createdAt, finishedAt, ...rest } = base;
  return { ...rest, created_at: new Date(createdAt).toISOString(), finished_at: iso(finishedAt), trace: traceOf(events) };
}

/** A queued (not yet written) run. */
export function detailFromRecord(r: ApiRunRecord): V1RunDetail {
  return detail(
    {
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
      simulated: simulatedModel(r.model),
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
    },
    r.events,
  );
}

/** A run read back from the database; stored JSON is parsed again so the types are earned. */
export function detailFromStored(r: StoredApiRun): V1RunDetail {
  const events: RunEvent[] = [];
  for (const e of r.events) {
    const parsed = RunEventSchema.safeParse(e);
    if (parsed.success) events.push(parsed.data);
  }
  const error = RunErrorSchema.safeParse(r.error);
  const usage = UsageSchema.safeParse(r.usage);
  return detail(
    {
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
      simulated: simulatedModel(r.model),
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
    },
    events,
  );
}
