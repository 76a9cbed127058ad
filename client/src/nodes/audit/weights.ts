import type { AuditItem } from '@shared/index';

/**
 * The weight total of a scoring sheet against its declared full score: `total` is the sum of the items'
 * weights (red lines with weight 0 add nothing), `mismatch` is true when a full score is declared and
 * the total differs from it (a perfect call could not reach it, or could pass it).
 */
export function weightTotal(items: Pick<AuditItem, 'weight'>[], fullScore: number | undefined): { total: number; full: number | undefined; mismatch: boolean } {
  // Rounded to hundredths: weights such as 33.3 must not warn over 99.99999.
  const total = Math.round(items.reduce((sum, i) => sum + (Number.isFinite(i.weight) ? i.weight : 0), 0) * 100) / 100;
  return { total, full: fullScore, mismatch: fullScore !== undefined && total !== fullScore };
}
