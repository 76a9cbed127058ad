import { mean, rootMeanSquare } from 'simple-statistics';
import type { AuditDetail, ItemAgreement, OutputMetricPlan } from '@shared/evaluation-metrics.js';
import { cohenKappa } from './kappa.js';
import { normalizeText, normalizeValue } from './normalize.js';
import type { OutputCase, OutputScore } from './score-simple.js';

/** An audit result as scored: item results by item id, the total score and the verdict (each may be absent). */
interface AuditValue {
  items: Map<string, string>;
  /** Item names where given (`开场问候并报工号`), for display. */
  names: Map<string, string>;
  score?: number;
  verdict?: string;
}

function readAudit(value: unknown): AuditValue {
  const record = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const list = Array.isArray(value) ? value : Array.isArray(record?.items) ? record.items : [];
  const items = new Map<string, string>();
  const names = new Map<string, string>();
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { id, result, name } = item as Record<string, unknown>;
    if (typeof id !== 'string' || (typeof result !== 'string' && typeof result !== 'boolean')) continue;
    items.set(id, normalizeText(String(result)));
    if (typeof name === 'string' && name.trim()) names.set(id, name.trim());
  }
  const score = normalizeValue(record?.score, 'number');
  return {
    items,
    names,
    ...(typeof score === 'number' && Number.isFinite(score) ? { score } : {}),
    ...(typeof record?.verdict === 'string' ? { verdict: normalizeText(record.verdict) } : {}),
  };
}

/** Agreement and kappa over `[expected, actual | null]` pairs: a null actual (failed run, item not given) disagrees and is left out of kappa. */
function agreementOf(id: string, pairs: Array<[string, string | null]>, name?: string): ItemAgreement {
  const n = pairs.length;
  const agree = pairs.filter(([e, a]) => e === a).length;
  const k = cohenKappa(pairs.filter((p): p is [string, string] => p[1] !== null));
  return { id, ...(name ? { name } : {}), n, agreement: n === 0 ? null : agree / n, kappa: k.kappa, ...(k.reason ? { kappa_reason: k.reason } : {}) };
}

/**
 * An audit (a scoring sheet's result: `{ items: [{ id, result: pass|fail|na }], score, verdict }`, or its
 * items list alone). Compared on what the case's expected value holds:
 * - per item (matched by id) and pooled over all items: agreement = share of equal results (a failed run
 *   or an item the run did not give counts as disagreeing) and Cohen's kappa (Cohen 1960) over the
 *   results both sides gave, the categories being pass / fail / na as they occur; kappa is null with
 *   `kappa_reason` `single_class` when both sides gave one and the same result throughout (chance agreement 1);
 * - score: mean absolute error and RMSE (simple-statistics), in points, over cases where both have one;
 * - verdict: accuracy (a failed run counts as wrong).
 * A case is correct when every expected item agrees, the verdict agrees, and the score is within the tolerance.
 */
export function scoreAudits(plan: OutputMetricPlan, cases: OutputCase[]): OutputScore<AuditDetail> {
  const tolerance = plan.tolerance ?? 0;
  const byItem = new Map<string, Array<[string, string | null]>>();
  const all: Array<[string, string | null]> = [];
  const itemNames = new Map<string, string>();
  const errors: number[] = [];
  let verdictN = 0;
  let verdictRight = 0;
  const perCase = cases.map((c) => {
    const expected = readAudit(c.expected);
    const actual = c.failed ? undefined : readAudit(c.actual);
    for (const [id, name] of expected.names) if (!itemNames.has(id)) itemNames.set(id, name);
    let checks = 0;
    let agreed = 0;
    for (const [id, result] of expected.items) {
      const pair: [string, string | null] = [result, actual?.items.get(id) ?? null];
      if (!byItem.has(id)) byItem.set(id, []);
      byItem.get(id)!.push(pair);
      all.push(pair);
      checks++;
      if (pair[0] === pair[1]) agreed++;
    }
    if (expected.verdict !== undefined) {
      verdictN++;
      checks++;
      if (actual?.verdict === expected.verdict) {
        verdictRight++;
        agreed++;
      }
    }
    let scoreOk = true;
    let error: number | undefined;
    if (expected.score !== undefined) {
      if (actual?.score !== undefined) {
        error = Math.abs(expected.score - actual.score);
        errors.push(error);
        scoreOk = error <= tolerance + 1e-9;
      } else scoreOk = false;
    }
    const correct = !c.failed && agreed === checks && scoreOk;
    const score = checks === 0 ? (correct ? 1 : 0) : agreed / checks;
    return error === undefined ? { correct, score } : { correct, score, error };
  });
  const items = [...byItem.entries()].map(([id, pairs]) => agreementOf(id, pairs, itemNames.get(id)));
  const overall = agreementOf('*', all);
  const mae = errors.length === 0 ? null : mean(errors);
  const rmse = errors.length === 0 ? null : rootMeanSquare(errors);
  const verdictAccuracy = verdictN === 0 ? null : verdictRight / verdictN;
  const metrics: Record<string, number | null> = { item_agreement: overall.agreement, kappa: overall.kappa };
  for (const item of items) {
    metrics[`agreement[${item.id}]`] = item.agreement;
    metrics[`kappa[${item.id}]`] = item.kappa;
  }
  if (errors.length > 0 || cases.some((c) => readAudit(c.expected).score !== undefined)) {
    metrics.score_mae = mae;
    metrics.score_rmse = rmse;
  }
  if (verdictN > 0) metrics.verdict_accuracy = verdictAccuracy;
  const detail: AuditDetail = {
    output: plan.output,
    kind: 'audit',
    n: cases.length,
    failed: cases.filter((c) => c.failed).length,
    overall,
    items,
    score: { n: errors.length, mae, rmse, tolerance },
    verdict: { n: verdictN, accuracy: verdictAccuracy },
  };
  return { metrics, detail, perCase };
}
