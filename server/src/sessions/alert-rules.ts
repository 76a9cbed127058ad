/**
 * Live alert rules as pure functions (实时预警): which rules an update of a call session matches, read
 * from the update's outputs (a dotted path into an object output, e.g. `intent.label`,
 * `work_order.phone`) and from the turns it took in (`keyword` rules). A rule raises once per session:
 * rules named in `raised` are skipped. No storage, no I/O: this runs after every update of every session.
 * `red_line` means exactly what human review's `red_line` means (server/src/common/red-line.ts).
 */
import type { AlertRule, SessionAlert } from '@shared/alerts.js';
import { isRecord } from '@shared/json.js';
import type { SessionTurn } from '@shared/sessions.js';
import { redLineHit } from '../common/red-line.js';
import { newId } from '../common/ids.js';
import type { AlertCheck } from './ports.js';

/** A rule as stored: its id always set. */
export type StoredAlertRule = AlertRule & { id: string };

/** The steps of an output path: `intent.label` → `['intent', 'label']`. */
export function pathSteps(path: string): string[] {
  return path.split('.').map((s) => s.trim());
}

/**
 * The value at a dotted path of the outputs: each step a key of an object, or an index of a list
 * (`items.0.id`). Undefined when any step finds nothing.
 */
export function valueAt(outputs: Record<string, unknown>, path: string): unknown {
  let at: unknown = outputs;
  for (const step of pathSteps(path)) {
    if (Array.isArray(at) && /^\d+$/.test(step)) at = at[Number(step)];
    else if (isRecord(at) && Object.hasOwn(at, step)) at = at[step];
    else return undefined;
  }
  return at;
}

/** Text as rules compare it: NFKC (full-width folded), trimmed, lower-cased. */
export function foldText(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

/** A scalar as compared by `equals` / `one_of`: strings folded, numbers and booleans by their text (`3` = `"3"`). */
function comparable(value: unknown): string | undefined {
  if (typeof value === 'string') return foldText(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** A number read from a number or a numeric string (models often write `"0.8"`); undefined otherwise. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Whether a turn of `role` is one a keyword rule listens to (`any`: every role). */
function roleFits(rule: 'customer' | 'agent' | 'any', role: string): boolean {
  return rule === 'any' || foldText(role) === rule;
}

/** What an output rule saw when it matched (the value reported in the alert), or undefined when it did not match. */
function outputMatch(rule: Exclude<StoredAlertRule, { kind: 'keyword' }>, value: unknown): { value: unknown } | undefined {
  switch (rule.kind) {
    case 'red_line': {
      const hit = redLineHit(value);
      if (hit.items.length > 0) return { value: hit.items };
      return hit.verdict ? { value: 'fail' } : undefined;
    }
    case 'equals': {
      const seen = comparable(value);
      return seen !== undefined && seen === comparable(rule.value) ? { value } : undefined;
    }
    case 'one_of': {
      const seen = comparable(value);
      return seen !== undefined && rule.values.some((v) => comparable(v) === seen) ? { value } : undefined;
    }
    case 'at_least': {
      const n = numberOf(value);
      return n !== undefined && n >= rule.value ? { value: n } : undefined;
    }
    case 'at_most': {
      const n = numberOf(value);
      return n !== undefined && n <= rule.value ? { value: n } : undefined;
    }
    case 'is_true':
      return value === true || (typeof value === 'string' && foldText(value) === 'true') ? { value: true } : undefined;
  }
}

/** The first new turn of the rule's role that says one of its words, or undefined. */
function keywordMatch(rule: Extract<StoredAlertRule, { kind: 'keyword' }>, turns: SessionTurn[]): { turn: SessionTurn; word: string } | undefined {
  const words = rule.words.map(foldText).filter((w) => w !== '');
  for (const turn of turns) {
    if (!roleFits(rule.role, turn.role)) continue;
    const text = foldText(turn.text);
    const word = words.find((w) => text.includes(w));
    if (word !== undefined) return { turn, word };
  }
  return undefined;
}

/**
 * The alerts an update raises: one per rule that matches and is not in `input.raised`, in the rules'
 * order. Output rules read `input.outputs` at their path (a missing value matches nothing); `keyword`
 * rules read `input.newTurns`. `newAlertId` makes each alert's id (UUIDv7 by default). Never throws.
 */
export function matchAlertRules(rules: readonly StoredAlertRule[], input: Omit<AlertCheck, 'scenarioId'>, newAlertId: () => string = newId): SessionAlert[] {
  const at = new Date(input.now).toISOString();
  const alerts: SessionAlert[] = [];
  for (const rule of rules) {
    if (input.raised.has(rule.id)) continue;
    const base = { rule_id: rule.id, name: rule.name, severity: rule.severity, kind: rule.kind, at };
    if (rule.kind === 'keyword') {
      const hit = keywordMatch(rule, input.newTurns);
      if (hit) alerts.push({ id: newAlertId(), ...base, output: null, value: hit.turn.text, turn_id: hit.turn.id });
      continue;
    }
    const hit = outputMatch(rule, valueAt(input.outputs, rule.output));
    if (hit) alerts.push({ id: newAlertId(), ...base, output: rule.output, value: hit.value, turn_id: input.lastTurnId });
  }
  return alerts;
}
