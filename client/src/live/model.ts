/**
 * The live pages' logic apart from React: the board's list kept in order as events arrive, the desk's
 * transcript grown turn by turn, which form fields an update newly filled, and how a value reads.
 * Framework-free.
 */
import type { AlertSeverity, SessionAlert } from '@shared/alerts';
import { isRecord } from '@shared/json';
import { LiveBoardAlertSchema, LiveSessionSummarySchema, type LiveSessionSummary } from '@shared/live';
import type { ReviewOutputView } from '@shared/review';
import type { SessionChange, SessionTurn } from '@shared/sessions';

/** When a session was last active (its last turn, else its start), epoch ms. */
export function lastActivity(s: Pick<LiveSessionSummary, 'last_turn_at' | 'created_at' | 'ended_at'>): number {
  return Date.parse(s.ended_at ?? s.last_turn_at ?? s.created_at) || 0;
}

/** The board's list with `summary` put in (replacing the session's older one), newest activity first. */
export function upsertSession(list: LiveSessionSummary[], summary: LiveSessionSummary): LiveSessionSummary[] {
  const rest = list.filter((s) => s.session_id !== summary.session_id);
  return [summary, ...rest].sort((a, b) => lastActivity(b) - lastActivity(a));
}

/** The transcript with `incoming` turns added (a turn already held is kept once), in call order. */
export function mergeTurns(turns: SessionTurn[], incoming: SessionTurn[]): SessionTurn[] {
  const byId = new Map(turns.map((t) => [t.id, t]));
  for (const t of incoming) byId.set(t.id, t);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** The tag colour of an alert severity. */
export function severityColor(severity: AlertSeverity | null): string | undefined {
  return severity === 'critical' ? 'red' : severity === 'warning' ? 'orange' : severity === 'info' ? 'blue' : undefined;
}

/**
 * Which outputs and form fields an update filled or changed, as `output` and `output.field` keys
 * (a change of `work_order.phone` marks both `work_order` and `work_order.phone`).
 */
export function changedKeys(changes: SessionChange[]): Set<string> {
  const keys = new Set<string>();
  for (const c of changes) {
    if (c.kind === 'cleared') continue;
    const [output, field] = c.path.split('.');
    if (output) keys.add(output);
    if (output && field) keys.add(`${output}.${field}`);
    // A whole form filled at once: each field that has a value now.
    if (output && !field && isRecord(c.to)) for (const [name, v] of Object.entries(c.to)) if (!isEmpty(v) && (!isRecord(c.from) || JSON.stringify(c.from[name]) !== JSON.stringify(v))) keys.add(`${output}.${name}`);
  }
  return keys;
}

/** Whether a value is empty as a form shows it: null, '', [] or absent. */
export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** A form view's fields in order, without its own evidence record. */
export function formFields(view: ReviewOutputView): string[] {
  const value = isRecord(view.value) ? view.value : {};
  return Object.keys(value).filter((f) => !(f === 'evidence' && isRecord(value.evidence)));
}

/** A value as one line of text (lists joined, objects as JSON). */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.map((v) => String(v)).join('、');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * What one event of the board's stream says: the session's summary, and the alert of a `session.alert`.
 * Undefined for an event of another shape.
 */
export function boardNews(event: string, data: unknown): { summary: LiveSessionSummary; alert?: SessionAlert } | undefined {
  if (event === 'session.alert') {
    const parsed = LiveBoardAlertSchema.safeParse(data);
    return parsed.success ? { summary: parsed.data.session, alert: parsed.data.alert } : undefined;
  }
  const parsed = LiveSessionSummarySchema.safeParse(data);
  return parsed.success ? { summary: parsed.data } : undefined;
}
