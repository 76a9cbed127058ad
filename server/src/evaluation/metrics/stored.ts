/**
 * Reading a scored result back from the database. Results scored before the API's keys became
 * snake_case (`perCase`, `perClass`, `exactMatch`, `kappaReason`, `passAt`, `rougeL`, `passRate`) are
 * read with today's keys, so an old run shows and compares like a new one. Framework-free.
 */
import type { EvalMetrics } from '@shared/evaluation-metrics.js';
import { isRecord } from '@shared/json.js';

/** The old key of each renamed key, per object that holds it. */
const DETAIL_KEYS: Record<string, string> = { perClass: 'per_class', exactMatch: 'exact_match', passAt: 'pass_at', rougeL: 'rouge_l', passRate: 'pass_rate' };

/** `value` with each old key present renamed to its new one (a new key already there wins). */
function renamed(value: Record<string, unknown>, keys: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const next = Object.hasOwn(keys, key) ? keys[key] : key;
    if (next !== key && Object.hasOwn(value, next)) continue;
    out[next] = v;
  }
  return out;
}

/** An audit's agreement entry (`overall`, each of `items`) with `kappaReason` read as `kappa_reason`. */
const agreement = (v: unknown): unknown => (isRecord(v) ? renamed(v, { kappaReason: 'kappa_reason' }) : v);

/** One output's detail with its old keys (and those of its fields and audit items) renamed. */
function detail(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const out = renamed(value, DETAIL_KEYS);
  if (Array.isArray(out.fields)) out.fields = out.fields.map((f) => (isRecord(f) ? renamed(f, { exactMatch: 'exact_match' }) : f));
  if ('overall' in out) out.overall = agreement(out.overall);
  if (Array.isArray(out.items)) out.items = out.items.map(agreement);
  return out;
}

/**
 * A stored scored result as {@link EvalMetrics}, or null when the column holds none (not scored, or
 * damaged). Output names (the keys of `outputs`) and metric names are kept as they are.
 */
export function readStoredMetrics(value: unknown): EvalMetrics | null {
  if (!isRecord(value) || !isRecord(value.metrics) || !isRecord(value.outputs)) return null;
  const perCase = Array.isArray(value.per_case) ? value.per_case : Array.isArray(value.perCase) ? value.perCase : null;
  if (perCase === null) return null;
  const outputs = Object.fromEntries(Object.entries(value.outputs).map(([name, d]) => [name, detail(d)]));
  const { perCase: _old, ...rest } = value;
  // The shape was written by scoreCases; only the renamed keys are rewritten here.
  return { ...rest, outputs, per_case: perCase } as unknown as EvalMetrics;
}
