import { parseTranscript, renderTurns, type Turn } from '@shared/transcript.js';

/** What an AI node reads: the text to put in the prompt, and the turns when the value is a transcript. */
export interface ReadInput {
  text: string;
  turns: Turn[] | null;
}

/** Reads a node's input value: a transcript (turns with ids, so replies can cite them) or plain text. */
export function readInput(value: unknown): ReadInput {
  if (typeof value === 'object' && value !== null && Array.isArray(Reflect.get(value, 'turns'))) {
    const parsed = parseTranscript(value);
    if (parsed.ok) return { text: renderTurns(parsed.transcript.turns), turns: parsed.transcript.turns };
  }
  if (typeof value === 'string') return { text: value, turns: null };
  if (value === undefined || value === null) return { text: '', turns: null };
  return { text: JSON.stringify(value), turns: null };
}

/**
 * Keeps only the turn ids that exist in the transcript (models invent ids now and then); `[t3]`, `T3`
 * and a bare `3` read as `t3` when that turn exists.
 */
export function knownTurnIds(ids: unknown, turns: Turn[] | null): string[] {
  if (!Array.isArray(ids)) return [];
  const strings = ids.map((id) => String(id).trim().replace(/^\[|\]$/g, ''));
  if (!turns) return strings;
  const known = new Set(turns.map((t) => t.id));
  const read = (id: string) => (known.has(id) ? id : known.has(id.toLowerCase()) ? id.toLowerCase() : known.has(`t${id}`) ? `t${id}` : undefined);
  return [...new Set(strings.map(read).filter((id): id is string => id !== undefined))];
}
