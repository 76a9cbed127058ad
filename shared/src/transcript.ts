import { z } from 'zod';

export interface Turn {
  id: string;
  role: string;
  text: string;
  start?: number;
  end?: number;
}
export interface Transcript {
  turns: Turn[];
  meta?: Record<string, unknown>;
  /** The turns as `role: text` lines, ready to drop into a prompt. */
  text: string;
}

const TurnInputSchema = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  role: z.string().min(1),
  text: z.string(),
  start: z.number().optional(),
  end: z.number().optional(),
});
const TranscriptInputSchema = z.object({
  turns: z.array(TurnInputSchema),
  meta: z.record(z.string(), z.unknown()).optional(),
});

/** Whether a turn's times can be: each not negative, `end` not before `start` (seconds from the call's start). */
export function turnTimesInOrder(turn: { start?: number; end?: number }): boolean {
  if ((turn.start ?? 0) < 0 || (turn.end ?? 0) < 0) return false;
  return turn.start === undefined || turn.end === undefined || turn.start <= turn.end;
}

/** The first turn whose times cannot be ({@link turnTimesInOrder}), as its index and what is wrong, or null. */
export function turnTimesProblem(turns: ReadonlyArray<{ start?: number; end?: number }>): { index: number; message: string } | null {
  const index = turns.findIndex((t) => !turnTimesInOrder(t));
  if (index < 0) return null;
  const t = turns[index] as { start?: number; end?: number };
  const message = (t.start ?? 0) < 0 || (t.end ?? 0) < 0 ? 'a turn time cannot be negative (seconds from the start of the call)' : 'a turn cannot end before it starts (end < start)';
  return { index, message };
}

/** Speaker labels accepted in plain-text transcripts, mapped to the canonical roles. */
const ROLE_LABELS: Record<string, string> = {
  坐席: 'agent',
  客服: 'agent',
  座席: 'agent',
  话务员: 'agent',
  agent: 'agent',
  客户: 'customer',
  用户: 'customer',
  来电人: 'customer',
  customer: 'customer',
  caller: 'customer',
  user: 'customer',
  system: 'system',
  系统: 'system',
};

const LINE = /^\s*(?:\[(\d+(?:\.\d+)?)(?:\s*[-–~]\s*(\d+(?:\.\d+)?))?\]\s*)?([^:：\s][^:：]{0,15}?)\s*[:：]\s*(.*)$/;

/** Result of parsing: a transcript or the reason it is not one. */
export type TranscriptParse = { ok: true; transcript: Transcript } | { ok: false; error: string };

/**
 * Accepts a transcript as JSON turns (`{turns: [...]}` or a bare array), as a JSON string of those, or
 * as plain `坐席：…` / `客户：…` (`Agent:` / `Customer:`) lines, and returns it with an id on every turn.
 * Lines without a speaker label continue the previous turn.
 */
export function parseTranscript(value: unknown): TranscriptParse {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return parseTranscript(JSON.parse(trimmed));
      } catch {
        // not JSON after all: read it as lines
      }
    }
    return parseTranscriptText(value);
  }
  const input = Array.isArray(value) ? { turns: value } : value;
  const parsed = TranscriptInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `not a transcript: ${issue.path.join('.') || 'value'}: ${issue.message}` };
  }
  const turns: Turn[] = parsed.data.turns.map((t, i) => {
    const turn: Turn = { id: t.id === undefined ? `t${i + 1}` : String(t.id), role: normaliseRole(t.role), text: t.text };
    if (t.start !== undefined) turn.start = t.start;
    if (t.end !== undefined) turn.end = t.end;
    return turn;
  });
  const transcript: Transcript = { turns, text: renderTurns(turns) };
  if (parsed.data.meta) transcript.meta = parsed.data.meta;
  return { ok: true, transcript };
}

function parseTranscriptText(text: string): TranscriptParse {
  const turns: Turn[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim()) continue;
    const m = LINE.exec(raw);
    const role = m ? ROLE_LABELS[m[3].trim().toLowerCase()] ?? ROLE_LABELS[m[3].trim()] : undefined;
    if (m && role) {
      const turn: Turn = { id: `t${turns.length + 1}`, role, text: m[4].trim() };
      if (m[1] !== undefined) turn.start = Number(m[1]);
      if (m[2] !== undefined) turn.end = Number(m[2]);
      turns.push(turn);
    } else if (turns.length > 0) {
      turns[turns.length - 1].text += `\n${raw.trim()}`;
    } else {
      return { ok: false, error: `line 1 has no speaker label: expected "坐席：…" or "客户：…" (or "Agent:" / "Customer:")` };
    }
  }
  if (turns.length === 0) return { ok: false, error: 'the transcript is empty' };
  return { ok: true, transcript: { turns, text: renderTurns(turns) } };
}

/**
 * Whether a value is a transcript exactly as {@link parseTranscript} leaves one (every turn with a string
 * id and text, and a role already in canonical form), so it can be used without parsing it again.
 */
export function isNormalisedTranscript(value: unknown): value is { turns: Turn[] } {
  if (typeof value !== 'object' || value === null) return false;
  const turns: unknown = Reflect.get(value, 'turns');
  if (!Array.isArray(turns)) return false;
  for (const t of turns) {
    if (typeof t !== 'object' || t === null) return false;
    const { id, role, text } = t as Record<string, unknown>;
    if (typeof id !== 'string' || typeof text !== 'string' || typeof role !== 'string' || normaliseRole(role) !== role) return false;
  }
  return true;
}

/** A speaker label as its canonical role (`坐席` → `agent`, `Customer` → `customer`); an unknown label trimmed as it is. */
export function normaliseRole(role: string): string {
  return ROLE_LABELS[role.trim().toLowerCase()] ?? ROLE_LABELS[role.trim()] ?? role.trim();
}

/** The turns as `[id] role: text` lines, the form prompts quote so the model can cite turn ids. */
export function renderTurns(turns: Turn[]): string {
  return turns.map((t) => `[${t.id}] ${t.role}: ${t.text}`).join('\n');
}
