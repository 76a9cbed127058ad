/**
 * echarts options of the inspection dashboard, and the drill-down bucket behind each bar (same index).
 * Framework-free: labels come in already translated.
 */
import { formatBucket, type AuditDashboard, type ItemStat, type TrendInterval } from '@shared/dashboard';
import type { ChartOption } from '../charts/Chart';
import { tooltipHtml } from '../charts/tooltip';

/** A chart's option and, per data index, the `?bucket=` of the calls behind it (null: nothing to open). */
export interface DrillChart {
  option: ChartOption;
  buckets: Array<string | null>;
}

export interface ChartLabels {
  count: string;
  score: string;
  failRate: string;
  hits: string;
  meanScore: string;
  trendFailRate: string;
  calls: string;
  itemTip: (stat: ItemStat) => string;
}

const GRID = { left: 48, right: 16, top: 28, bottom: 28, containLabel: false };

/** Fail rate of an item over the calls it applied to (null when it applied to none). */
export function failRate(stat: ItemStat): number | null {
  const applicable = stat.pass + stat.fail;
  return applicable === 0 ? null : Math.round((1000 * stat.fail) / applicable) / 10;
}

/** Histogram of scores in bars of 10; red below 60, amber below 80. */
export function scoreChart(d: AuditDashboard, l: ChartLabels): DrillChart {
  return {
    option: {
      grid: GRID,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: d.score.map((b) => `${b.from}-${b.to}`), name: l.score, nameLocation: 'middle', nameGap: 22, axisLabel: { fontSize: 10, interval: 0 } },
      yAxis: { type: 'value', minInterval: 1, name: l.count, nameTextStyle: { fontSize: 10 } },
      series: [
        {
          type: 'bar',
          name: l.count,
          data: d.score.map((b) => ({ value: b.count, itemStyle: { color: b.from < 60 ? '#ff4d4f' : b.from < 80 ? '#faad14' : '#52c41a' } })),
          barCategoryGap: '20%',
        },
      ],
    },
    buckets: d.score.map((b) => (b.count > 0 ? formatBucket({ kind: 'score', from: b.from, to: b.to }) : null)),
  };
}

/** Fail rate per audit item (horizontal bars, worst at the top of the sheet's order kept). */
export function itemsChart(d: AuditDashboard, l: ChartLabels): DrillChart {
  const items = d.items.filter((i) => !i.fatal);
  const reversed = [...items].reverse(); // echarts draws category 0 at the bottom
  return {
    option: {
      grid: { ...GRID, left: 150, right: 40 },
      tooltip: { trigger: 'item', formatter: (p: unknown) => tooltipOf(p, reversed, l) },
      xAxis: { type: 'value', max: 100, name: '%', axisLabel: { fontSize: 10 } },
      yAxis: { type: 'category', data: reversed.map((i) => i.name), axisLabel: { fontSize: 11, width: 140, overflow: 'truncate' } },
      series: [
        {
          type: 'bar',
          name: l.failRate,
          data: reversed.map((i) => ({ value: failRate(i) ?? 0, itemStyle: { color: (failRate(i) ?? 0) >= 50 ? '#ff4d4f' : '#fa8c16' } })),
          label: { show: true, position: 'right', formatter: '{c}%', fontSize: 10 },
          barMaxWidth: 18,
        },
      ],
    },
    buckets: reversed.map((i) => (i.fail > 0 ? formatBucket({ kind: 'item', id: i.id, result: 'fail' }) : null)),
  };
}

function tooltipOf(p: unknown, items: ItemStat[], l: ChartLabels): string {
  const index = typeof p === 'object' && p !== null && 'dataIndex' in p && typeof p.dataIndex === 'number' ? p.dataIndex : -1;
  const stat = items[index];
  return stat ? tooltipHtml([stat.name, l.itemTip(stat)]) : '';
}

/** Calls that broke each red-line item. */
export function fatalChart(d: AuditDashboard, l: ChartLabels): DrillChart {
  const reversed = [...d.fatal].reverse();
  return {
    option: {
      grid: { ...GRID, left: 150, right: 40 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
      yAxis: { type: 'category', data: reversed.map((f) => f.name), axisLabel: { fontSize: 11, width: 140, overflow: 'truncate' } },
      series: [{ type: 'bar', name: l.hits, data: reversed.map((f) => ({ value: f.hits, itemStyle: { color: '#a8071a' } })), label: { show: true, position: 'right', fontSize: 10 }, barMaxWidth: 18 }],
    },
    buckets: reversed.map((f) => (f.hits > 0 ? formatBucket({ kind: 'fatal', id: f.id }) : null)),
  };
}

/** The label of a trend slot in the browser's zone. */
export function slotLabel(iso: string, interval: TrendInterval): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return interval === 'day' ? `${d.getMonth() + 1}/${d.getDate()}` : `${d.getMonth() + 1}/${d.getDate()} ${pad(d.getHours())}:00`;
}

/** Calls per hour or day (bars) with the mean score and the fail rate (lines); a bar opens that slot's calls. */
export function trendChart(d: AuditDashboard, l: ChartLabels): DrillChart {
  const points = d.trend.points;
  const size = d.trend.interval === 'hour' ? 3_600_000 : 86_400_000;
  return {
    option: {
      grid: { ...GRID, right: 48 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
      xAxis: { type: 'category', data: points.map((p) => slotLabel(p.start, d.trend.interval)), axisLabel: { fontSize: 10 } },
      yAxis: [
        { type: 'value', minInterval: 1, name: l.calls, nameTextStyle: { fontSize: 10 } },
        { type: 'value', max: 100, min: 0, name: `${l.meanScore} / %`, nameTextStyle: { fontSize: 10 }, splitLine: { show: false } },
      ],
      series: [
        { type: 'bar', name: l.calls, data: points.map((p) => p.calls), itemStyle: { color: '#91caff' }, barMaxWidth: 40 },
        { type: 'line', name: l.meanScore, yAxisIndex: 1, data: points.map((p) => p.mean_score), symbolSize: 6, itemStyle: { color: '#1677ff' } },
        { type: 'line', name: l.trendFailRate, yAxisIndex: 1, data: points.map((p) => (p.fail_rate === null ? null : Math.round(p.fail_rate * 1000) / 10)), symbolSize: 6, itemStyle: { color: '#ff4d4f' } },
      ],
    },
    buckets: points.map((p) => {
      const from = Date.parse(p.start);
      return formatBucket({ kind: 'time', from, to: from + size });
    }),
  };
}
