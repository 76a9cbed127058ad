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

/** A speaker's label in the UI language (`agent` → 坐席); a role it does not know is shown as it is. */
export type RoleLabel = (role: string) => string;

/** A transcript's turns as `role：text` lines (roles through `roleLabel`), or undefined when the value is not one. */
function transcriptText(value: unknown, roleLabel: RoleLabel): string | undefined {
  if (!isRecord(value) || !Array.isArray(value.turns)) return undefined;
  return value.turns.map((turn) => (isRecord(turn) ? `${roleLabel(String(turn.role ?? ''))}：${String(turn.text ?? '')}` : '')).join(' / ');
}

/** A case's inputs in one line of at most `max` characters: each input's name and its text, a transcript's speakers by `roleLabel`. */
export function inputsSummary(inputs: Record<string, unknown>, max: number, roleLabel: RoleLabel = (role) => role): string {
  const parts = Object.entries(inputs).map(([name, value]) => `${name}: ${transcriptText(value, roleLabel) ?? valueText(value, max)}`);
  return valueText(parts.join('; '), max);
}
