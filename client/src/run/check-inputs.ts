import type { TFunction } from 'i18next';
import type { StartInput } from '@shared/index';
import { inputValue } from './RunInputs';

/** Why one input cannot be sent, in the reader's language, naming the field. */
export type InputErrors = Record<string, string>;

/** Where JSON.parse stopped, as line and column (1-based), read from the offset its message gives. */
export function jsonErrorAt(text: string, message: string): { line: number; column: number } | undefined {
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  const position = /position (\d+)/.exec(message);
  if (!position) return /Unexpected end of JSON input/.test(message) ? endOf(text) : undefined;
  const before = text.slice(0, Number(position[1])).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function endOf(text: string): { line: number; column: number } {
  const lines = text.trimEnd().split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * Checks the test-run form against the start node's inputs before anything is sent: a required input
 * left empty, JSON that does not parse (with where, never the parser's own words), a number that is not
 * one. Returns the values to send, or the errors by input name.
 */
export function checkRunInputs(inputs: StartInput[], values: Record<string, unknown>, t: TFunction): { ok: true; sent: Record<string, unknown> } | { ok: false; errors: InputErrors } {
  const sent: Record<string, unknown> = {};
  const errors: InputErrors = {};
  for (const input of inputs) {
    const v = values[input.name];
    const empty = v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
    if (empty) {
      if (input.required) errors[input.name] = t('runForm.required', { name: input.name });
      continue;
    }
    if ((input.type === 'number' || input.type === 'integer') && typeof v !== 'number') {
      const n = Number(v);
      if (typeof v !== 'string' || !Number.isFinite(n)) errors[input.name] = t('runForm.notNumber', { name: input.name });
      else sent[input.name] = n;
      continue;
    }
    if (typeof v !== 'string') {
      sent[input.name] = v;
      continue;
    }
    const parsed = inputValue(input.type, v);
    if (parsed.ok) sent[input.name] = parsed.value;
    else {
      const at = jsonErrorAt(v.trim(), parsed.error);
      errors[input.name] = at ? t('runForm.badJson', { name: input.name, ...at }) : t('runForm.badJsonNoPos', { name: input.name });
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, sent };
}
