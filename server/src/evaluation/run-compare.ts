/**
 * Two completed evaluation runs side by side: metric deltas (b − a) and the cases whose outcome flipped
 * on an output, each with its run in both results so both traces open.
 */
import type { ChangedCase, EvalRunComparison } from '@shared/evaluation-runs.js';
import { DomainError } from '../common/domain-error.js';
import { compareResults } from './metrics/index.js';
import { storedMetrics, storedResults, type EvaluationRuns } from './runs.js';

/**
 * Compares run `a` (before) with run `b` (after). Both must be completed runs of the same set; on two
 * revisions of it, cases are compared by id on those in both (`common`), the rest listed as only in one.
 * Throws `unknown_eval_run`, `eval_run_not_completed`, `invalid` `eval_runs_not_comparable` (two sets).
 */
export async function compareRuns(runs: EvaluationRuns, aId: string, bId: string): Promise<EvalRunComparison> {
  const a = await runs.completed(aId);
  const b = await runs.completed(bId);
  if (a.setId !== b.setId) throw new DomainError('invalid', 'eval_runs_not_comparable', 'the two runs are on different evaluation sets', { a_set_id: a.setId, b_set_id: b.setId });
  const ma = storedMetrics(a);
  const mb = storedMetrics(b);
  if (!ma || !mb) throw new DomainError('conflict', 'eval_run_not_completed', 'a run has no stored result', { status: a.status });
  const comparison = compareResults(ma, mb);
  const runIdsA = new Map(storedResults(a).map((r) => [r.id, r.run_id]));
  const runIdsB = new Map(storedResults(b).map((r) => [r.id, r.run_id]));
  const withRuns = (ids: string[]): ChangedCase[] => ids.map((id) => ({ id, a_run_id: runIdsA.get(id) ?? null, b_run_id: runIdsB.get(id) ?? null }));
  const inB = new Set(mb.per_case.map((c) => c.id));
  return {
    a: await runs.summary(a),
    b: await runs.summary(b),
    same_revision: a.setRevision === b.setRevision,
    common: ma.per_case.filter((c) => inB.has(c.id)).length,
    deltas: comparison.deltas,
    changed: comparison.changed.map((c) => ({ output: c.output, right_to_wrong: withRuns(c.rightToWrong), wrong_to_right: withRuns(c.wrongToRight) })),
    only_in_a: comparison.onlyInA,
    only_in_b: comparison.onlyInB,
  };
}
