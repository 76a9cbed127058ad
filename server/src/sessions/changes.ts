/**
 * What moved between two updates of a session: per end output, and per field of an object output (a
 * form's `phone`, a classifier's `label`), whether it was filled, changed or cleared. Deeper values
 * (lists, nested objects) compare as wholes.
 */
import { isDeepStrictEqual } from 'node:util';
import type { SessionChange } from '@shared/sessions.js';
import { isRecord } from '@shared/json.js';

/** Whether a value counts as not filled in: null, undefined, a blank string, an empty list or object. */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

function compare(path: string, from: unknown, to: unknown, changes: SessionChange[]): void {
  if (isDeepStrictEqual(from, to)) return;
  const wasEmpty = isEmptyValue(from);
  const isEmpty = isEmptyValue(to);
  if (wasEmpty && isEmpty) return;
  changes.push({ path, kind: wasEmpty ? 'filled' : isEmpty ? 'cleared' : 'changed', from: from ?? null, to: to ?? null });
}

/** The changes from `before` (null: no update yet) to `after`, outputs in `after`'s order, then fields. */
export function outputChanges(before: Record<string, unknown> | null, after: Record<string, unknown>): SessionChange[] {
  const changes: SessionChange[] = [];
  const names = new Set([...Object.keys(after), ...Object.keys(before ?? {})]);
  for (const name of names) {
    const from = before?.[name];
    const to = after[name];
    if (isRecord(to) || isRecord(from)) {
      const a = isRecord(from) ? from : {};
      const b = isRecord(to) ? to : {};
      for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) compare(`${name}.${key}`, a[key], b[key], changes);
    } else {
      compare(name, from, to, changes);
    }
  }
  return changes;
}
