/**
 * Recorded calls for `mofang replay`: a JSONL file, one call a line, in either of the forms Mofang reads
 * elsewhere:
 *
 * - an STC-3 row (../shared/data/stc3-telecom-cn.jsonl): `{"id", "turns": [{"role", "text"}, …], "quality"}`;
 * - a Mofang transcript: `{"id"?, "transcript": {"turns": […]}}` (the transcript may also be a JSON string
 *   or `坐席：…` lines, as `parseTranscript` takes it) or a bare `{"turns": […]}`, whose turns may carry
 *   `id`, `start` and `end` (seconds from the start of the call).
 *
 * Blank lines are skipped; any other line that is not one call is an error naming the file and line.
 */
import path from 'node:path';
import { MAX_SESSION_ID_TEXT, MAX_TURN_TEXT, SessionTurnInputSchema, type SessionTurnInput } from '@shared/sessions.js';
import { parseTranscript } from '@shared/transcript.js';
import { describeNul, findNul } from '@shared/nul.js';
import { CliError } from './errors.js';

/** One recorded call: the call id the session gets and its turns in call order (every turn with an id). */
export interface RecordedCall {
  /** The row's `id` (or `call_id`), else `<file name>:<line>`. */
  id: string;
  /** The line of the file it came from, from 1. */
  line: number;
  turns: Array<SessionTurnInput & { id: string }>;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The call id of a row: its `id` or `call_id` (a string or a number), when it has one. */
function rowId(row: Record<string, unknown>): string | undefined {
  for (const key of ['id', 'call_id']) {
    const value = row[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

/**
 * Reads one line as a call, or returns the reason it is not one (without the file and line, which the
 * caller adds).
 */
export function parseCallLine(text: string, fallbackId: string, line: number): RecordedCall | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const nul = findNul(value);
  if (nul) return `the call ${describeNul(nul.path, nul.inKey)}`;
  const row = record(value);
  if (!row) return 'expected a JSON object with "turns" or "transcript"';
  const source = 'transcript' in row ? row.transcript : row;
  if (!('transcript' in row) && !('turns' in row)) return 'expected "turns" (an STC-3 row, a transcript) or "transcript"';
  const parsed = parseTranscript(source);
  if (!parsed.ok) return parsed.error;
  if (parsed.transcript.turns.length === 0) return 'the call has no turns';
  const turns: RecordedCall['turns'] = [];
  for (const [i, turn] of parsed.transcript.turns.entries()) {
    const checked = SessionTurnInputSchema.safeParse(turn);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const detail = issue?.path[0] === 'text' && turn.text.length > MAX_TURN_TEXT ? `longer than ${MAX_TURN_TEXT} characters` : `${issue?.path.join('.')}: ${issue?.message}`;
      return `turn ${i + 1}: ${detail}`;
    }
    turns.push({ ...checked.data, id: turn.id });
  }
  const id = rowId(row) ?? fallbackId;
  if (id.length > MAX_SESSION_ID_TEXT) return `the call id is longer than ${MAX_SESSION_ID_TEXT} characters`;
  return { id, line, turns };
}

/**
 * Every call in the text of a JSONL file. `file` names the file in errors and call ids.
 * Throws {@link CliError} `<file>, line <n>: <reason>` at the first bad line, or when there is no call.
 */
export function parseRecordedCalls(text: string, file: string): RecordedCall[] {
  const calls: RecordedCall[] = [];
  const name = path.basename(file);
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const trimmed = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (trimmed === '') continue;
    const call = parseCallLine(trimmed, `${name}:${line}`, line);
    if (typeof call === 'string') throw new CliError(`${file}, line ${line}: ${call}`);
    calls.push(call);
  }
  if (calls.length === 0) throw new CliError(`${file} holds no calls: expected one JSON object a line (an STC-3 row or {"transcript": {"turns": […]}})`);
  return calls;
}
