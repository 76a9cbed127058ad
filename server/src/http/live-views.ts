/**
 * The live pages' replies built from the sessions domain's views: a session as the supervisors' board
 * lists it, as the agent desk shows it, and each shown to a reader without `pii:read` with the
 * customer's words and numbers masked (the transcript, outputs, alert values, the call id, the final
 * run). Pure functions: the routes give the scenario's name, its risk output and the output views.
 */
import { ALERT_SEVERITIES, type AlertSeverity, type SessionAlert } from '@shared/alerts.js';
import { isRecord } from '@shared/json.js';
import type { LiveConfirmation, LiveSessionDetail, LiveSessionSummary } from '@shared/live.js';
import { maskRecord, maskText, maskValue } from '@shared/pii.js';
import type { ReviewOutputView } from '@shared/review.js';
import type { SessionFinalRun, SessionTurn } from '@shared/sessions.js';
import type { SessionView } from '../sessions/ports.js';

/** Alerts a board summary carries (newest first); `alert_count` says how many in all. */
export const SUMMARY_ALERTS = 5;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The value at a dotted output path (`risk_level`, `work_order.phone`), or null. */
export function valueAt(outputs: Record<string, unknown> | null, path: string | null): unknown {
  if (outputs === null || path === null) return null;
  if (path in outputs) return outputs[path] ?? null;
  let value: unknown = outputs;
  for (const part of path.split('.')) {
    if (!isRecord(value)) return null;
    value = value[part];
  }
  return value ?? null;
}

/** The highest severity among `alerts`, or null without any. */
export function topSeverity(alerts: SessionAlert[]): AlertSeverity | null {
  let top = -1;
  for (const a of alerts) top = Math.max(top, ALERT_SEVERITIES.indexOf(a.severity));
  return top < 0 ? null : (ALERT_SEVERITIES[top] ?? null);
}

/** What a summary needs beside the session: its scenario's name and the output its board shows as the risk. */
export interface ScenarioFacts {
  name: string;
  riskOutput: string | null;
}

/** A session as the board lists it (unmasked). */
export function liveSummary(session: SessionView, facts: ScenarioFacts): LiveSessionSummary {
  return {
    session_id: session.id,
    scenario_id: session.scenarioId,
    scenario_name: facts.name,
    slug: session.slug,
    version: session.version,
    call_id: session.callId,
    status: session.status,
    turn_count: session.turnCount,
    risk: valueAt(session.outputs, facts.riskOutput),
    alerts: [...session.alerts].reverse().slice(0, SUMMARY_ALERTS),
    alert_count: session.alerts.length,
    top_severity: topSeverity(session.alerts),
    simulated: session.simulated,
    created_at: iso(session.createdAt) ?? '',
    last_turn_at: iso(session.lastTurnAt),
    ended_at: iso(session.endedAt),
    end_reason: session.endReason,
  };
}

/** A session as the desk shows it (unmasked): the summary with the transcript, outputs and their views. */
export function liveDetail(session: SessionView, facts: ScenarioFacts, turns: SessionTurn[], views: ReviewOutputView[]): LiveSessionDetail {
  return {
    ...liveSummary(session, facts),
    turns,
    outputs: session.outputs,
    views,
    all_alerts: [...session.alerts].reverse(),
    final_run: session.finalRun,
    confirmation: session.confirmation,
    metrics: session.metrics,
  };
}

function maskAlert(alert: SessionAlert): SessionAlert {
  return { ...alert, value: maskValue(alert.value) };
}

function maskTurn(turn: SessionTurn): SessionTurn {
  return { ...turn, text: maskText(turn.text) };
}

function maskRun(run: SessionFinalRun): SessionFinalRun {
  return {
    ...run,
    ...(run.outputs === undefined ? {} : { outputs: maskRecord(run.outputs) }),
    ...(run.error === undefined ? {} : { error: { ...run.error, message: maskText(run.error.message), ...(run.error.details === undefined ? {} : { details: maskValue(run.error.details) }) } }),
  };
}

function maskConfirmation(c: LiveConfirmation): LiveConfirmation {
  return { ...c, outputs: maskRecord(c.outputs), ...(c.note === undefined ? {} : { note: maskText(c.note) }) };
}

/** An alert (as an event carries it) for a reader without `pii:read`: its value masked. */
export function maskedAlert(alert: unknown): unknown {
  return isRecord(alert) ? { ...alert, value: maskValue(alert.value) } : maskValue(alert);
}

/** A summary for a reader without `pii:read`. */
export function maskedSummary<S extends LiveSessionSummary>(s: S): S {
  return { ...s, call_id: s.call_id === null ? null : maskText(s.call_id), risk: maskValue(s.risk), alerts: s.alerts.map(maskAlert) };
}

/** A detail for a reader without `pii:read`. */
export function maskedDetail(d: LiveSessionDetail): LiveSessionDetail {
  return {
    ...maskedSummary(d),
    turns: d.turns.map(maskTurn),
    outputs: d.outputs === null ? null : maskRecord(d.outputs),
    views: d.views.map((v) => ({ ...v, value: maskValue(v.value) })),
    all_alerts: d.all_alerts.map(maskAlert),
    final_run: d.final_run === null ? null : maskRun(d.final_run),
    confirmation: d.confirmation === null ? null : maskConfirmation(d.confirmation),
  };
}

/** Fields of the session events that hold no customer data (ids, counts, times, figures). */
const PLAIN_FIELDS = new Set(['session_id', 'update', 'turn_count', 'last_turn_id', 'stats', 'at', 'reason', 'scenario', 'scenario_id', 'slug', 'version', 'status', 'created_at', 'idle_timeout_ms', 'seq', 'id']);

function maskField(key: string, value: unknown): unknown {
  if (PLAIN_FIELDS.has(key)) return value;
  if (key === 'turns' && Array.isArray(value)) return value.map((t) => (isRecord(t) && typeof t.text === 'string' ? { ...t, text: maskText(t.text) } : maskValue(t)));
  if ((key === 'alert' || key === 'alerts') && (isRecord(value) || Array.isArray(value))) return Array.isArray(value) ? value.map((a) => (isRecord(a) ? { ...a, value: maskValue(a.value) } : a)) : { ...value, value: maskValue(value.value) };
  if (key === 'changes' && Array.isArray(value)) return value.map((c) => (isRecord(c) ? { ...c, from: maskValue(c.from), to: maskValue(c.to) } : c));
  if ((key === 'final_run' || key === 'error') && isRecord(value)) return maskEventData(value);
  if (key === 'message' && typeof value === 'string') return maskText(value);
  return maskValue(value);
}

/**
 * One session event's data for a reader without `pii:read`: the transcript's words, outputs and what
 * changed in them, alert values and the final run masked; ids, counts and times as they are. The desk
 * link (it holds the desk token) never goes out on these streams.
 */
export function maskEventData(data: unknown): Record<string, unknown> | unknown {
  if (!isRecord(data)) return maskValue(data);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (key !== 'desk_url') out[key] = maskField(key, value);
  return out;
}

/** One session event's data for a reader who may see it all (the desk link still left out). */
export function plainEventData(data: unknown): unknown {
  if (!isRecord(data) || !('desk_url' in data)) return data;
  const { desk_url: _desk, ...rest } = data;
  return rest;
}
