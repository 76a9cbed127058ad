/**
 * Cohen's kappa: agreement between two raters on nominal categories, corrected for chance.
 * κ = (p_o − p_e) / (1 − p_e), where p_o is the observed share of agreeing pairs and
 * p_e = Σ_k (n_k,a / N)(n_k,b / N) the agreement expected by chance from each rater's own category shares.
 * Source: J. Cohen, "A coefficient of agreement for nominal scales", Educational and Psychological
 * Measurement 20(1), 1960, pp. 37–46 (the same definition as scikit-learn's `cohen_kappa_score` unweighted).
 *
 * Degenerate cases return `kappa: null` with a reason instead of NaN or a made-up number:
 * - `no_cases`: no pairs at all;
 * - `single_class`: p_e = 1, which happens exactly when both raters gave one and the same category to
 *   every case (e.g. every call passed the greeting item on both sides): κ is 0/0, undefined. The
 *   observed agreement (1 there) still says how the two sides compare.
 * Written here: no maintained JavaScript statistics package (simple-statistics, ml-stat) has kappa.
 */

export interface KappaResult {
  kappa: number | null;
  /** Observed agreement p_o (null with no pairs). */
  observed: number | null;
  /** Chance agreement p_e (null with no pairs). */
  chance: number | null;
  reason?: 'no_cases' | 'single_class';
}

/** Cohen's kappa over pairs of categories `[rater a, rater b]` (see the module comment). */
export function cohenKappa(pairs: ReadonlyArray<readonly [string, string]>): KappaResult {
  const n = pairs.length;
  if (n === 0) return { kappa: null, observed: null, chance: null, reason: 'no_cases' };
  const countsA = new Map<string, number>();
  const countsB = new Map<string, number>();
  let agree = 0;
  for (const [a, b] of pairs) {
    if (a === b) agree++;
    countsA.set(a, (countsA.get(a) ?? 0) + 1);
    countsB.set(b, (countsB.get(b) ?? 0) + 1);
  }
  const observed = agree / n;
  let chance = 0;
  for (const [category, countA] of countsA) chance += (countA / n) * ((countsB.get(category) ?? 0) / n);
  // p_e reaches 1 only when both raters used a single, common category (up to rounding).
  if (countsA.size === 1 && countsB.size === 1 && agree === n) return { kappa: null, observed, chance: 1, reason: 'single_class' };
  return { kappa: (observed - chance) / (1 - chance), observed, chance };
}
