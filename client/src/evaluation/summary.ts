/**
 * Short texts of a case's values for the cases table: a transcript as its first customer words, other
 * values as JSON, each cut to a length. Framework-free.
 */
import { isRecord } from '@shared/json';

/** A value as text of at most `max` characters (objects as JSON). */
export function valueText(value: unknown, max: number): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A transcript's turns as `role：text` lines, or undefined when the value is not one. */
function transcriptText(value: unknown): string | undefined {
  if (!isRecord(value) || !Array.isArray(value.turns)) return undefined;
  return value.turns.map((turn) => (isRecord(turn) ? `${String(turn.role ?? '')}：${String(turn.text ?? '')}` : '')).join(' / ');
}

/** A case's inputs in one line of at most `max` characters: each input's name and its text. */
export function inputsSummary(inputs: Record<string, unknown>, max: number): string {
  const parts = Object.entries(inputs).map(([name, value]) => `${name}: ${transcriptText(value) ?? valueText(value, max)}`);
  return valueText(parts.join('; '), max);
}
