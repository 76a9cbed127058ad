/**
 * What a red-line (红线) hit is, in one place: human review's `red_line` rule (server/src/review/rules.ts)
 * and live alerts' `red_line` rule (server/src/sessions/alert-rules.ts) both read an output through
 * {@link redLineHit}, so "a red line was hit" means the same everywhere.
 */
import { isRecord } from '@shared/json.js';

/** The red lines an output shows: the ids of the failed red-line items, and whether its verdict is `fail`. */
export interface RedLineHit {
  /** Ids of red-line items that failed (deduplicated, in the output's order); [] for none. */
  items: string[];
  /** Whether the output (or its `verdict`) is the string `fail`. */
  verdict: boolean;
}

/**
 * The red lines `value` shows failed. Read as: the string `fail` (a verdict); a list of red-line ids
 * (strings); a list of audit items (`{ id, result, fatal }`: those with `fatal: true` and `result: 'fail'`);
 * or an audit result object (`fatal`: ids, `items`: audit items, `verdict`). Anything else shows none.
 */
export function redLineHit(value: unknown): RedLineHit {
  const fromItems = (items: unknown[]) => items.flatMap((it) => (isRecord(it) && it.fatal === true && it.result === 'fail' && typeof it.id === 'string' ? [it.id] : []));
  if (value === 'fail') return { items: [], verdict: true };
  if (Array.isArray(value)) return { items: value.every((v) => typeof v === 'string') ? value.map(String) : fromItems(value), verdict: false };
  if (!isRecord(value)) return { items: [], verdict: false };
  const fatal = Array.isArray(value.fatal) ? value.fatal.filter((v): v is string => typeof v === 'string') : [];
  const items = Array.isArray(value.items) ? fromItems(value.items) : [];
  return { items: [...new Set([...fatal, ...items])], verdict: value.verdict === 'fail' };
}

/** Whether `value` shows a red line hit: a failed red-line item, or the verdict `fail`. */
export function isRedLineHit(value: unknown): boolean {
  const hit = redLineHit(value);
  return hit.items.length > 0 || hit.verdict;
}
