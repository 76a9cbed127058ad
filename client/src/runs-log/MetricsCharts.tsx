import { useMemo } from 'react';
import { Col, Row, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { MetricsBucket, MetricsBucketSize } from './api';
import { Chart, type ChartOption } from '../charts/Chart';

function label(iso: string, bucket: MetricsBucketSize): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return bucket === 'day' ? `${d.getMonth() + 1}/${d.getDate()}` : bucket === 'hour' ? `${d.getMonth() + 1}/${d.getDate()} ${pad(d.getHours())}:00` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((1000 * part) / whole) / 10;
}

function base(x: string[], unit: string): ChartOption {
  return {
    grid: { left: 44, right: 12, top: 28, bottom: 24 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    xAxis: { type: 'category', data: x, axisLabel: { fontSize: 10 } },
    yAxis: { type: 'value', name: unit, nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 }, minInterval: 1 },
  };
}

/** Runs, p50/p95 latency, error and timeout rates, and tokens over time. */
export function MetricsCharts({ buckets, bucket }: { buckets: MetricsBucket[]; bucket: MetricsBucketSize }) {
  const { t } = useTranslation();
  const charts = useMemo(() => {
    const x = buckets.map((b) => label(b.start, bucket));
    const runs: ChartOption = {
      ...base(x, ''),
      series: [
        { type: 'bar', stack: 'runs', name: t('logs.succeeded'), data: buckets.map((b) => b.succeeded), itemStyle: { color: '#52c41a' } },
        { type: 'bar', stack: 'runs', name: t('logs.failed'), data: buckets.map((b) => b.failed), itemStyle: { color: '#ff4d4f' } },
      ],
    };
    const latency: ChartOption = {
      ...base(x, 'ms'),
      series: [
        { type: 'line', name: 'p50', data: buckets.map((b) => b.p50_ms), connectNulls: true, symbolSize: 5, itemStyle: { color: '#1677ff' } },
        { type: 'line', name: 'p95', data: buckets.map((b) => b.p95_ms), connectNulls: true, symbolSize: 5, itemStyle: { color: '#fa8c16' } },
      ],
    };
    const errors: ChartOption = {
      ...base(x, '%'),
      series: [
        { type: 'line', name: t('logs.errorRate'), data: buckets.map((b) => rate(b.failed, b.runs)), connectNulls: true, symbolSize: 5, itemStyle: { color: '#ff4d4f' } },
        { type: 'line', name: t('logs.timeoutRate'), data: buckets.map((b) => rate(b.timeouts, b.runs)), connectNulls: true, symbolSize: 5, itemStyle: { color: '#722ed1' } },
      ],
    };
    const tokens: ChartOption = {
      ...base(x, ''),
      series: [
        { type: 'bar', stack: 'tokens', name: t('logs.promptTokens'), data: buckets.map((b) => b.prompt_tokens), itemStyle: { color: '#13c2c2' } },
        { type: 'bar', stack: 'tokens', name: t('logs.completionTokens'), data: buckets.map((b) => b.completion_tokens), itemStyle: { color: '#2f54eb' } },
      ],
    };
    return [
      { key: 'runs', title: t('logs.chartRuns'), option: runs },
      { key: 'latency', title: t('logs.chartLatency'), option: latency },
      { key: 'errors', title: t('logs.chartErrors'), option: errors },
      { key: 'tokens', title: t('logs.chartTokens'), option: tokens },
    ];
  }, [buckets, bucket, t]);
  return (
    <Row gutter={[12, 12]} data-testid="metrics-charts">
      {charts.map((c) => (
        <Col span={12} key={c.key}>
          <Typography.Text strong style={{ fontSize: 12 }}>{c.title}</Typography.Text>
          <Chart option={c.option} height={170} testId={`chart-${c.key}`} />
        </Col>
      ))}
    </Row>
  );
}
