import type { BarCheck, BarFailure, MetricBar } from '@shared/evaluation-metrics.js';
import { DomainError } from '../../common/domain-error.js';

/** Metrics where lower is better (errors in the output's own unit): a minimum makes no sense for them. */
export function isLowerBetter(metric: string): boolean {
  // A keyed name (`x.mae[k]`) is judged by its metric, not its key.
  return /\.(mae|rmse|score_mae|score_rmse)(\[.*\])?$/.test(metric);
}

/**
 * Parses a minimum bar as written after `--min`: `<metric>=<value>`, e.g. `risk_level.macro_f1=0.8` or
 * `work_order.recall[phone]=0.95`. The value may be a percentage (`90%` = 0.9). The name is split at the
 * last `=`, so a class label may hold one.
 *
 * @throws DomainError `invalid` / `invalid_bar` when the text is not `<metric>=<number>`
 */
export function parseMinBar(text: string): MetricBar {
  const at = text.lastIndexOf('=');
  const metric = at > 0 ? text.slice(0, at).trim() : '';
  const raw = at > 0 ? text.slice(at + 1).trim() : '';
  const percent = raw.endsWith('%');
  const number = Number(percent ? raw.slice(0, -1) : raw);
  if (!metric || raw === '' || !Number.isFinite(number)) {
    throw new DomainError('invalid', 'invalid_bar', `a bar is <metric>=<number>, e.g. risk_level.accuracy=0.9; got "${text}"`, { bar: text });
  }
  return { metric, min: percent ? number / 100 : number };
}

/**
 * Checks metric values against minimum bars: a bar fails when its metric's value is below the minimum
 * or null (undefined for the data, e.g. kappa when every case agrees on one class: it cannot be shown
 * to meet the bar).
 *
 * @returns `ok` when every bar is met; `failures` lists each unmet bar with the value found
 * @throws DomainError `invalid` / `unknown_metric` when a bar names a metric the result does not have
 *   (`details.known` lists the names it has); `invalid` / `bar_direction` for a minimum on an error
 *   metric (`mae`, `rmse`), where lower is better
 */
export function meetsBars(metrics: Record<string, number | null>, bars: MetricBar[]): BarCheck {
  const known = Object.keys(metrics).sort();
  const failures: BarFailure[] = [];
  for (const bar of bars) {
    if (!Object.hasOwn(metrics, bar.metric)) {
      throw new DomainError('invalid', 'unknown_metric', `no metric "${bar.metric}" in this result; known: ${known.join(', ')}`, { metric: bar.metric, known });
    }
    if (isLowerBetter(bar.metric)) {
      throw new DomainError('invalid', 'bar_direction', `"${bar.metric}" is an error (lower is better): a minimum cannot apply to it`, { metric: bar.metric });
    }
    const value = metrics[bar.metric];
    if (value === null || value < bar.min) failures.push({ metric: bar.metric, value, min: bar.min });
  }
  return { ok: failures.length === 0, failures };
}
