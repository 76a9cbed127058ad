import type { ChangedCases, EvalComparison, EvalMetrics, MetricDelta } from '@shared/evaluation-metrics.js';

/**
 * Compares two results on (mostly) the same cases, a before and an after.
 *
 * @returns `deltas`: every metric named in either result, sorted by name, with its value in each and
 *   `delta` = b − a (null when either value is null or missing); `changed`: per output, the ids of the
 *   cases scored in both results whose outcome went from correct in a to wrong in b (`rightToWrong`) and
 *   back (`wrongToRight`), by output name, outputs without such cases left out; `onlyInA` / `onlyInB`: case ids scored in
 *   one result only (e.g. results on two revisions of a set). Case ids are matched as given.
 */
export function compareResults(a: EvalMetrics, b: EvalMetrics): EvalComparison {
  const names = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
  const deltas: MetricDelta[] = names.map((metric) => {
    const va = a.metrics[metric] ?? null;
    const vb = b.metrics[metric] ?? null;
    return { metric, a: va, b: vb, delta: va === null || vb === null ? null : vb - va };
  });
  const inA = new Map(a.per_case.map((c) => [c.id, c]));
  const inB = new Map(b.per_case.map((c) => [c.id, c]));
  const byOutput = new Map<string, ChangedCases>();
  const entry = (output: string): ChangedCases => {
    let e = byOutput.get(output);
    if (!e) {
      e = { output, rightToWrong: [], wrongToRight: [] };
      byOutput.set(output, e);
    }
    return e;
  };
  for (const [id, caseA] of inA) {
    const caseB = inB.get(id);
    if (!caseB) continue;
    for (const [output, ra] of Object.entries(caseA.outputs)) {
      const rb = caseB.outputs[output];
      if (!rb || ra.correct === rb.correct) continue;
      if (ra.correct) entry(output).rightToWrong.push(id);
      else entry(output).wrongToRight.push(id);
    }
  }
  return {
    deltas,
    changed: [...byOutput.values()].sort((x, y) => (x.output < y.output ? -1 : x.output > y.output ? 1 : 0)),
    onlyInA: [...inA.keys()].filter((id) => !inB.has(id)),
    onlyInB: [...inB.keys()].filter((id) => !inA.has(id)),
  };
}
