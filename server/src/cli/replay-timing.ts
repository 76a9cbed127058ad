/**
 * When `mofang replay` posts each turn: the moment the speech recogniser would have finalised it, in
 * seconds from the start of the call, scaled by the replay speed.
 *
 * - A turn with `end` is finalised at `end`.
 * - A turn with `start` but no `end`, at `start` plus its spoken length.
 * - A turn with neither (STC-3 has no times), when the previous one was finalised plus a short gap plus its
 *   spoken length.
 *
 * Spoken length: a words-per-second model, where a Chinese (CJK) character counts as a word and so does
 * each run of Latin letters or digits, e.g. 12 characters at 4 a second last 3 s. Times never go back: a
 * turn is finalised no earlier than the one before it.
 */
import { CliError } from './errors.js';

/** The timing model's settings. */
export interface TimingModel {
  /** Spoken words (CJK characters, Latin words) a second; default {@link DEFAULT_WORDS_PER_SECOND}. */
  wordsPerSecond: number;
  /** Silence between two turns without times, seconds; default {@link DEFAULT_GAP_SECONDS}. */
  gapSeconds: number;
}

export const DEFAULT_WORDS_PER_SECOND = 4;
export const DEFAULT_GAP_SECONDS = 0.5;
/** The shortest a turn lasts, seconds (a "嗯" is not over in a quarter of a second). */
export const MIN_TURN_SECONDS = 0.5;

// CJK ideographs, kana and hangul: one spoken syllable each.
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
// A run of letters or digits in any other script: one word.
const WORD = /[\p{L}\p{N}]+/gu;

/** Spoken words in a text: CJK characters plus runs of other letters and digits. */
export function spokenWords(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const rest = text.replace(CJK, ' ').match(WORD)?.length ?? 0;
  return cjk + rest;
}

/** How long saying `text` takes, seconds (at least {@link MIN_TURN_SECONDS}). */
export function spokenSeconds(text: string, model: TimingModel): number {
  return Math.max(MIN_TURN_SECONDS, spokenWords(text) / model.wordsPerSecond);
}

/**
 * The second (from the start of the call) each turn is finalised, in turn order, non-decreasing.
 * Uses `end`/`start` where a turn has them, the words-per-second model where it has not.
 */
export function finalisedAt(turns: ReadonlyArray<{ text: string; start?: number; end?: number }>, model: TimingModel): number[] {
  const times: number[] = [];
  let previous = 0;
  for (const [i, turn] of turns.entries()) {
    let at: number;
    if (turn.end !== undefined) at = turn.end;
    else if (turn.start !== undefined) at = turn.start + spokenSeconds(turn.text, model);
    else at = previous + (i === 0 ? 0 : model.gapSeconds) + spokenSeconds(turn.text, model);
    previous = Math.max(previous, at);
    times.push(previous);
  }
  return times;
}

/** A replay speed: how many times faster than the call went, or `max` (no waiting at all). */
export type ReplaySpeed = number | 'max';

/**
 * Parses `--speed`: `10x`, `10`, `0.5x`, `1x` or `max`. Throws {@link CliError} for anything else
 * (zero, negative, not a number).
 */
export function parseSpeed(value: string): ReplaySpeed {
  const text = value.trim().toLowerCase();
  if (text === 'max') return 'max';
  const match = /^(\d+(?:\.\d+)?|\.\d+)x?$/.exec(text);
  const n = match ? Number(match[1]) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--speed "${value}": expected a factor such as 10x, 1x, 0.5x, or max`);
  return n;
}

/** Milliseconds of wall time after the call's start that a turn finalised at `seconds` is posted. */
export function wallMs(seconds: number, speed: ReplaySpeed): number {
  return speed === 'max' ? 0 : (seconds * 1000) / speed;
}
