import { distance } from 'fastest-levenshtein';
import { max, mean, min, quantileSorted } from 'simple-statistics';
import type { Distribution } from '@shared/evaluation-metrics.js';

/**
 * Character-level similarity of free text, suited to Chinese (no word segmentation needed: a Chinese
 * character carries meaning on its own). Both measures work on Unicode code points of normalised text.
 */

/**
 * Code points of `a` and `b` written as single UTF-16 units (private-use characters stand for any
 * character outside the Basic Multilingual Plane), so a code-unit edit distance counts characters.
 */
function asUnits(a: string, b: string): [string, string] {
  if (!/[\uD800-\uDFFF]/.test(a + b)) return [a, b];
  const codes = new Map<string, string>();
  const map = (s: string) =>
    Array.from(s, (ch) => {
      if (ch.length === 1) return ch;
      if (!codes.has(ch)) codes.set(ch, String.fromCharCode(0xe000 + codes.size));
      return codes.get(ch)!;
    }).join('');
  return [map(a), map(b)];
}

/**
 * 1 − Levenshtein distance / the longer length, in [0, 1], over characters: `"宽带无法上网"` vs
 * `"宽带不能上网"` differ in 2 of 6 characters, 0.667. Two empty texts are identical (1). The distance is
 * fastest-levenshtein's (V. I. Levenshtein, "Binary codes capable of correcting deletions, insertions and
 * reversals", Soviet Physics Doklady 10(8), 1966).
 */
export function levenshteinSimilarity(a: string, b: string): number {
  const [x, y] = asUnits(a, b);
  const longer = Math.max(x.length, y.length);
  if (longer === 0) return 1;
  return 1 - distance(x, y) / longer;
}

/**
 * Length of the longest common subsequence of two strings (UTF-16 units), by the bit-vector algorithm of
 * Crochemore, Iliopoulos, Pinzon and Reid ("A fast and practical bit-vector algorithm for the longest
 * common subsequence problem", Information Processing Letters 80(6), 2001): V starts all ones over |b|
 * bits; per character c of a, with U = V & M[c] (M[c]: the positions of c in b), V = (V + U) | (V − U);
 * the LCS is the number of zero bits left in V. O(|a|·|b| / 64) with BigInt words, so two 5,000-character
 * reports take milliseconds rather than the dynamic programme's 25 million steps.
 */
export function lcsLength(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  const masks = new Map<string, bigint>();
  for (let j = 0; j < b.length; j++) masks.set(b[j], (masks.get(b[j]) ?? 0n) | (1n << BigInt(j)));
  const all = (1n << BigInt(b.length)) - 1n;
  let v = all;
  for (let i = 0; i < a.length; i++) {
    const m = masks.get(a[i]);
    if (m === undefined) continue;
    const u = v & m;
    v = ((v + u) | (v - u)) & all;
  }
  let ones = 0;
  for (const ch of v.toString(2)) if (ch === '1') ones++;
  return b.length - ones;
}

/**
 * Character-level ROUGE-L F1 of a candidate against a reference, in [0, 1]: with L the longest common
 * subsequence, recall = L / |reference|, precision = L / |candidate|, F1 = 2PR / (P + R) (β = 1).
 * Source: C.-Y. Lin, "ROUGE: A Package for Automatic Evaluation of Summaries", ACL Workshop 2004, §3.1.
 * Two empty texts score 1; one empty text scores 0.
 */
export function rougeLF1(reference: string, candidate: string): number {
  const [ref, cand] = asUnits(reference, candidate);
  if (ref.length === 0 && cand.length === 0) return 1;
  const l = lcsLength(ref, cand);
  if (l === 0) return 0;
  const recall = l / ref.length;
  const precision = l / cand.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * Five-number summary (min, quartiles, median, max) of scores; quartiles by simple-statistics'
 * `quantileSorted` (linear interpolation, R type 7, numpy's default); null with no scores.
 */
export function distribution(scores: number[]): Distribution | null {
  if (scores.length === 0) return null;
  const sorted = [...scores].sort((a, b) => a - b);
  return { min: min(sorted), p25: quantileSorted(sorted, 0.25), median: quantileSorted(sorted, 0.5), p75: quantileSorted(sorted, 0.75), max: max(sorted) };
}

/** Counts of scores in [0, 1] per tenth: [0, 0.1), …, [0.9, 1.0] (1 falls in the last). */
export function histogram(scores: number[]): number[] {
  const bins = Array.from({ length: 10 }, () => 0);
  for (const s of scores) bins[Math.min(9, Math.max(0, Math.floor(s * 10 + 1e-9)))]++;
  return bins;
}

/** The mean of scores by simple-statistics, null with none. */
export function meanOrNull(values: number[]): number | null {
  return values.length === 0 ? null : mean(values);
}
