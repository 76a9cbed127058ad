import { describe, expect, it } from 'vitest';
import type { AuditDashboard } from '@shared/dashboard';
import { tooltipHtml } from '../charts/tooltip';
import { fatalChart, itemsChart, scoreChart, trendChart, type ChartLabels } from './charts';

const HOSTILE = ['<img src=x onerror=alert(1)>', '"><script>alert(2)</script>', '<style>body{display:none}</style>', 'a & b'];

const labels: ChartLabels = {
  count: 'count',
  score: 'score',
  failRate: 'fail rate',
  hits: 'hits',
  meanScore: 'mean',
  trendFailRate: 'trend',
  calls: 'calls',
  itemTip: (s) => `${s.fail} failed <of> ${s.fail + s.pass}`,
};

function dashboard(): AuditDashboard {
  return {
    audit: true,
    job_id: 'job_1',
    from: null,
    to: null,
    calls: 4,
    failed_runs: 0,
    mean_score: 70,
    score: [{ from: 60, to: 70, count: 4 }],
    verdicts: [{ verdict: 'fail', count: 4 }],
    items: [
      ...HOSTILE.map((name, i) => ({ id: `i${i}`, name, fatal: false, fail: i + 1, pass: 1, na: 0, total: i + 2 })),
      { id: 'red', name: HOSTILE[0], fatal: true, fail: 1, pass: 3, na: 0, total: 4 },
    ],
    fatal: [{ id: 'red', name: HOSTILE[1], hits: 1 }],
    trend: { interval: 'day', points: [{ start: '2026-01-01T00:00:00.000Z', calls: 4, mean_score: 70, fail_rate: 1 }] },
  };
}

/** Every tooltip a chart's formatter function can draw, one per data index. */
function tooltips(option: { tooltip?: unknown }, count: number): string[] {
  const tooltip = option.tooltip;
  const formatter = typeof tooltip === 'object' && tooltip !== null && 'formatter' in tooltip ? tooltip.formatter : undefined;
  if (typeof formatter !== 'function') return [];
  return Array.from({ length: count }, (_, dataIndex) => String(formatter({ dataIndex })));
}

describe('dashboard chart tooltips', () => {
  it('draw item names as text: escaped, with only the line break as markup', () => {
    const chart = itemsChart(dashboard(), labels);
    const tips = tooltips(chart.option, HOSTILE.length);
    expect(tips).toHaveLength(HOSTILE.length);
    // Bars are drawn bottom-up, so the last item is index 0.
    expect(tips[HOSTILE.length - 1]).toBe('&lt;img src=x onerror=alert(1)&gt;<br/>1 failed &lt;of&gt; 2');
    expect(tips[HOSTILE.length - 2]).toBe('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;<br/>2 failed &lt;of&gt; 3');
    expect(tips[0]).toBe('a &amp; b<br/>4 failed &lt;of&gt; 5');
    for (const tip of tips) expect(tip.replace(/<br\/>/g, '')).not.toMatch(/[<>"]/);
  });

  it('leave no formatter of any dashboard chart drawing a raw name', () => {
    const d = dashboard();
    for (const chart of [scoreChart(d, labels), itemsChart(d, labels), fatalChart(d, labels), trendChart(d, labels)]) {
      for (const tip of tooltips(chart.option, d.items.length)) expect(tip.replace(/<br\/>/g, '')).not.toMatch(/[<>]/);
    }
  });

  it('tooltipHtml escapes every line and joins them with line breaks', () => {
    expect(tooltipHtml(['<b>', "it's & \"so\""])).toBe('&lt;b&gt;<br/>it&#39;s &amp; &quot;so&quot;');
    expect(tooltipHtml([])).toBe('');
  });
});
