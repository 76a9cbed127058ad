import { isNormalisedTranscript, parseTranscript, renderTurns, type Turn } from '@shared/transcript.js';

/** What an AI node reads: the text to put in the prompt, and the turns when the value is a transcript. */
export interface ReadInput {
  text: string;
  turns: Turn[] | null;
}

/** Transcripts already read, by object: the start node's one transcript feeds several nodes of a run. */
const readTranscripts = new WeakMap<object, ReadInput>();

/** Reads a node's input value: a transcript (turns with ids, so replies can cite them) or plain text. */
export function readInput(value: unknown): ReadInput {
  if (typeof value === 'object' && value !== null && Array.isArray(Reflect.get(value, 'turns'))) {
    const known = readTranscripts.get(value);
    if (known) return known;
    // The start node's transcript is already normalised: every turn has an id; its text is rendered.
    if (isNormalisedTranscript(value)) {
      const read = { text: renderTurns(value.turns), turns: value.turns };
      readTranscripts.set(value, read);
      return read;
    }
    const parsed = parseTranscript(value);
    if (parsed.ok) {
      const read = { text: renderTurns(parsed.transcript.turns), turns: parsed.transcript.turns };
      readTranscripts.set(value, read);
      return read;
    }
  }
  if (typeof value === 'string') return { text: value, turns: null };
  if (value === undefined || value === null) return { text: '', turns: null };
  return { text: JSON.stringify(value), turns: null };
}

/** The ids of a transcript's turns, once per turn list. */
const turnIdSets = new WeakMap<Turn[], Set<string>>();

/**
 * Keeps only the turn ids that exist in the transcript (models invent ids now and then); `[t3]`, `T3`
 * and a bare `3` read as `t3` when that turn exists.
 */
export function knownTurnIds(ids: unknown, turns: Turn[] | null): string[] {
  if (!Array.isArray(ids)) return [];
  const strings = ids.map((id) => String(id).trim().replace(/^\[|\]$/g, ''));
  if (!turns) return strings;
  let known = turnIdSets.get(turns);
  if (!known) turnIdSets.set(turns, (known = new Set(turns.map((t) => t.id))));
  const turnIds = known;
  const read = (id: string) => (turnIds.has(id) ? id : turnIds.has(id.toLowerCase()) ? id.toLowerCase() : turnIds.has(`t${id}`) ? `t${id}` : undefined);
  return [...new Set(strings.map(read).filter((id): id is string => id !== undefined))];
}
