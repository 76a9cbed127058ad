/**
 * What leaves the server through `/api` for a user without `pii:read`: the same replies with
 * customers' personal data masked (`@shared/pii.ts`: phone, ID and bank-card numbers, e-mail and
 * address details) in every string that can hold it — run inputs and outputs, every event of a trace
 * (node inputs and outputs, the prompts sent to the model and its raw replies and reasoning, warnings,
 * error messages), job results (JSONL and CSV), failed items' reasons, dashboard calls (the audit items'
 * reasons, the report, the transcript), and job item ids (chosen by whoever submitted the job, often the
 * customer's phone number: `13812345678` → `138****5678`). Mofang's own identifiers (run, job, node),
 * kinds, times, counts, scores and usage are kept, so the trace and the dashboard read the same, only
 * without the customer's data.
 *
 * A user with `pii:read` gets the values as they are (no copy is made).
 */
import type { RunDetail, RunSummary } from '@shared/api.js';
import type { Graph } from '@shared/graph.js';
import type { CallDetail, CallItem, CallPage, CallSummary } from '@shared/dashboard.js';
import type { ModelCallTrace, NodeWarning, RunError, RunEvent } from '@shared/events.js';
import type { JobFailure, JobResultLine } from '@shared/jobs.js';
import { maskRecord, maskText, maskValue } from '@shared/pii.js';
import type { RunResult } from '../engine/index.js';

/** The reply shapers of one request (see the module comment). */
export interface PiiView {
  /** Whether this view masks (false: every function returns its argument). */
  readonly masked: boolean;
  /** A run's result as the engine returns it (a test run's reply, its SSE `result` event). */
  runResult(result: RunResult): RunResult;
  /** One event of a run's trace. */
  event(event: RunEvent): RunEvent;
  /** A run in a list (its error message may quote inputs). */
  runSummary(summary: RunSummary): RunSummary;
  /** A stored run with its inputs, outputs and trace. */
  runDetail(detail: RunDetail): RunDetail;
  /** A page of dashboard calls behind a bar. */
  callPage(page: CallPage): CallPage;
  /** One dashboard call with its transcript. */
  callDetail(call: CallDetail): CallDetail;
  /** One line of a job's results (JSONL line or CSV row). */
  resultLine(line: JobResultLine): JobResultLine;
  /** A failed job item in the job's error list. */
  jobFailure(failure: JobFailure): JobFailure;
  /**
   * A scenario's or version's graph: its stored sample inputs (`graph.inputs`, what a designer typed in
   * the Run panel, often a real customer's call) masked; nodes and edges as they are.
   */
  graph<G extends Pick<Graph, 'inputs'>>(graph: G): G;
}

function runError(error: RunError): RunError {
  return { ...error, message: maskText(error.message), ...(error.details === undefined ? {} : { details: maskValue(error.details) }) };
}

function modelCall(call: ModelCallTrace): ModelCallTrace {
  return {
    ...call,
    messages: call.messages.map((m) => ({ ...m, content: maskText(m.content) })),
    raw: maskText(call.raw),
    ...(call.reasoning === undefined ? {} : { reasoning: maskText(call.reasoning) }),
    ...(call.error === undefined ? {} : { error: maskText(call.error) }),
  };
}

function warning(w: NodeWarning): NodeWarning {
  return { ...w, message: maskText(w.message), ...(w.details === undefined ? {} : { details: maskValue(w.details) }) };
}

function event(e: RunEvent): RunEvent {
  switch (e.type) {
    case 'run.started':
      return { ...e, inputs: maskValue(e.inputs) };
    case 'node.finished':
      return {
        ...e,
        inputs: maskValue(e.inputs),
        outputs: maskValue(e.outputs),
        ...(e.calls === undefined ? {} : { calls: e.calls.map(modelCall) }),
        ...(e.warnings === undefined ? {} : { warnings: e.warnings.map(warning) }),
      };
    case 'node.failed':
      return { ...e, error: runError(e.error), ...(e.calls === undefined ? {} : { calls: e.calls.map(modelCall) }) };
    case 'run.finished':
      return { ...e, outputs: maskValue(e.outputs) };
    case 'run.failed':
      return { ...e, error: runError(e.error) };
    case 'node.started':
    case 'node.skipped':
      return e;
  }
}

function callItem(item: CallItem): CallItem {
  return { ...item, reason: maskText(item.reason) };
}

function callSummary(call: CallSummary): CallSummary {
  return { ...call, item_id: maskText(call.item_id), failing: call.failing.map(callItem) };
}

const MASKING: PiiView = {
  masked: true,
  runResult: (r) => ({ ...r, ...(r.outputs === undefined ? {} : { outputs: maskRecord(r.outputs) }), ...(r.error === undefined ? {} : { error: runError(r.error) }) }),
  event,
  runSummary: (s) => ({ ...s, error: s.error === null ? null : runError(s.error) }),
  runDetail: (d) => ({
    ...d,
    error: d.error === null ? null : runError(d.error),
    inputs: maskValue(d.inputs),
    outputs: maskValue(d.outputs),
    events: d.events.map(event),
  }),
  callPage: (p) => ({ ...p, calls: p.calls.map(callSummary) }),
  callDetail: (c) => ({
    ...callSummary(c),
    items: c.items.map(callItem),
    report: c.report === null ? null : maskText(c.report),
    transcript: c.transcript === null ? null : c.transcript.map((t) => ({ ...t, text: maskText(t.text) })),
  }),
  resultLine: (l) => ({ ...l, id: maskText(l.id), ...(l.outputs === undefined ? {} : { outputs: maskRecord(l.outputs) }), ...(l.error === undefined ? {} : { error: runError(l.error) }) }),
  jobFailure: (f) => ({ ...f, id: maskText(f.id), error: runError(f.error) }),
  graph: (g) => (g.inputs === undefined || g.inputs === null || typeof g.inputs !== 'object' ? g : { ...g, inputs: maskRecord(g.inputs) }),
};

const same = <T>(value: T): T => value;
const PLAIN: PiiView = {
  masked: false,
  runResult: same,
  event: same,
  runSummary: same,
  runDetail: same,
  callPage: same,
  callDetail: same,
  resultLine: same,
  jobFailure: same,
  graph: same,
};

/** The reply shapers for a user who may (`true`) or may not (`false`) read customers' personal data. */
export function piiView(canReadPii: boolean): PiiView {
  return canReadPii ? PLAIN : MASKING;
}

/**
 * A job's webhook URL as shown to someone who may not change the job (a viewer, a designer, or a key
 * reading another key's job): scheme, host, port and path only. The query, the fragment and any
 * user:password are dropped (`https://crm.example.com/hook?token=SECRET` → `https://crm.example.com/hook`),
 * since receivers commonly authenticate with a token there. A URL that does not parse is shown as `''`.
 */
export function webhookShown(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '';
  }
}

/** A job progress (or a reply that extends one) with its webhook URL shown by {@link webhookShown}. */
export function withoutWebhookSecrets<T extends { webhook: { url: string } | null }>(progress: T): T {
  return progress.webhook === null ? progress : { ...progress, webhook: { ...progress.webhook, url: webhookShown(progress.webhook.url) } };
}
