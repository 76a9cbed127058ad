/**
 * A live session as the store keeps it: the running figures of its `metrics` column, and a stored row as
 * the view the HTTP layer reads (for a session no longer in memory).
 */
import type { SessionAlert } from '@shared/alerts.js';
import type { LiveConfirmation } from '@shared/live.js';
import { isRecord } from '@shared/json.js';
import type { SessionMetrics, SessionTurn } from '@shared/sessions.js';
import type { CallSessionRow, CallSessionTurnRow } from '../storage/sessions.js';
import type { LiveSession } from './live-session.js';
import type { SessionView } from './ports.js';

/** The running figures a session stores (its `metrics` column). */
export interface StoredCounters {
  turns: number;
  updates: number;
  model_calls: number;
  reused_calls: number;
  prompt_chars: number;
  prefix_chars: number;
  lag_ms_p50: number | null;
  lag_ms_p99: number | null;
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A session's metrics from its running figures (stored, or a session's own in memory). */
export function storedMetrics(value: unknown): SessionMetrics {
  const m = (value ?? {}) as Partial<StoredCounters>;
  const prompt = m.prompt_chars ?? 0;
  return {
    turns: m.turns ?? 0,
    updates: m.updates ?? 0,
    model_calls: m.model_calls ?? 0,
    reused_calls: m.reused_calls ?? 0,
    prompt_prefix_reuse: prompt > 0 ? round((m.prefix_chars ?? 0) / prompt, 4) : 0,
    lag_ms_p50: m.lag_ms_p50 ?? null,
    lag_ms_p99: m.lag_ms_p99 ?? null,
  };
}

/** The turns a stored `session.updated` read (its `turn_count`); 0 when there is none. */
export function reflectedTurns(data: unknown): number {
  return isRecord(data) && typeof data.turn_count === 'number' ? data.turn_count : 0;
}

/** A stored session as a view. */
export function rowView(row: CallSessionRow): SessionView {
  return {
    id: row.id,
    scenarioId: row.scenarioId,
    slug: row.slug,
    version: row.version,
    apiKeyId: row.apiKeyId,
    callId: row.callId,
    meta: isRecord(row.meta) ? row.meta : null,
    status: row.status,
    turnCount: row.turnCount,
    updateCount: row.updateCount,
    outputs: isRecord(row.outputs) ? row.outputs : null,
    alerts: Array.isArray(row.alerts) ? (row.alerts as SessionAlert[]) : [],
    simulated: row.simulated,
    createdAt: row.createdAt,
    lastTurnAt: row.lastTurnAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
    finalRunId: row.finalRunId,
    finalRun: (row.finalRun ?? null) as SessionView['finalRun'],
    confirmation: (row.confirmation ?? null) as LiveConfirmation | null,
    metrics: storedMetrics(row.metrics),
  };
}

/** A stored turn as the domain hands it out. */
export function turnOf(t: CallSessionTurnRow): SessionTurn {
  return { id: t.turnId, role: t.role, text: t.text, ...(t.start !== null ? { start: t.start } : {}), ...(t.end !== null ? { end: t.end } : {}), seq: t.seq };
}

/** A session held in memory as a view. */
export function liveView(s: LiveSession): SessionView {
  const f = s.fixed;
  return {
    id: f.id,
    scenarioId: f.scenarioId,
    slug: f.slug,
    version: f.version,
    apiKeyId: f.apiKeyId,
    callId: f.callId,
    meta: f.meta,
    status: s.status,
    turnCount: s.turns.length,
    updateCount: s.updateCount,
    outputs: s.outputs,
    alerts: s.alerts,
    simulated: s.simulated,
    createdAt: f.createdAt,
    lastTurnAt: s.lastTurnAt,
    endedAt: s.endedAt,
    endReason: s.endReason,
    finalRunId: s.finalRunId,
    finalRun: s.finalRun,
    confirmation: s.confirmation,
    metrics: s.metrics(),
  };
}
