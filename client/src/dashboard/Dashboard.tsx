import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, DatePicker, Empty, Row, Segmented, Space, Spin, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { AuditDashboard, ItemStat } from '@shared/dashboard';
import { formatBucket } from '@shared/dashboard';
import { errorText } from '../publish/http';
import { dashboardApi, type Dashboard as DashboardData, type DashboardScope } from '../jobs/api';
import { Chart } from '../charts/Chart';
import { CallsDrawer } from './CallsDrawer';
import { fatalChart, itemsChart, scoreChart, trendChart, type ChartLabels, type DrillChart } from './charts';

function Figure({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div>
      <div style={{ color: 'rgba(0,0,0,.45)', fontSize: 12 }}>{label}</div>
      <div style={{ fontSize: 22, fontWeight: 600 }} data-testid={testId}>{value}</div>
    </div>
  );
}

/** A chart card whose bars open the calls behind them. */
function DrillCard({ title, chart, height, testId, onOpen, categories }: { title: string; chart: DrillChart; height: number; testId: string; onOpen: (bucket: string, label: string) => void; categories: string[] }) {
  return (
    <Card size="small" title={title} style={{ height: '100%' }}>
      <Chart
        option={chart.option}
        height={height}
        testId={testId}
        onPick={(i) => {
          const bucket = chart.buckets[i];
          if (bucket) onOpen(bucket, `${title} · ${categories[i] ?? ''}`);
        }}
      />
    </Card>
  );
}

/** The inspection dashboard of one job, or of every job of the scenario over a time range. */
export function Dashboard({ scenarioId, jobId }: { scenarioId: string; jobId?: string }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'job' | 'range'>(jobId ? 'job' : 'range');
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [dayjs().subtract(6, 'day').startOf('day'), dayjs().endOf('day')]);
  const [data, setData] = useState<DashboardData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [drill, setDrill] = useState<{ bucket: string; label: string } | null>(null);

  useEffect(() => setMode(jobId ? 'job' : 'range'), [jobId]);
  const scope: DashboardScope = useMemo(
    () => (mode === 'job' && jobId ? { job_id: jobId } : { from: range[0].valueOf(), to: range[1].valueOf() + 1 }),
    [mode, jobId, range],
  );

  const load = useCallback(() => {
    setError(null);
    dashboardApi.get(scenarioId, scope).then(setData, (e: unknown) => setError(errorText(e)));
  }, [scenarioId, scope]);
  useEffect(load, [load]);

  const labels: ChartLabels = useMemo(() => ({
    count: t('dashboard.count'),
    score: t('dashboard.scoreAxis'),
    failRate: t('dashboard.failRate'),
    hits: t('dashboard.hits'),
    meanScore: t('dashboard.meanScore'),
    trendFailRate: t('dashboard.trendFailRate'),
    calls: t('dashboard.calls'),
    itemTip: (s: ItemStat) => t('dashboard.failRateTip', { fail: s.fail, applicable: s.fail + s.pass, na: s.na }),
  }), [t]);

  const toolbar = (
    <Space wrap style={{ marginBottom: 12 }}>
      {jobId && (
        <Segmented
          value={mode}
          onChange={(v) => setMode(v === 'job' ? 'job' : 'range')}
          options={[{ value: 'job', label: t('dashboard.scopeJob') }, { value: 'range', label: t('dashboard.scopeRange') }]}
          data-testid="dashboard-scope"
        />
      )}
      {mode === 'range' && (
        <DatePicker.RangePicker value={range} onChange={(v) => v && v[0] && v[1] && setRange([v[0].startOf('day'), v[1].endOf('day')])} allowClear={false} />
      )}
      <Button icon={<ReloadOutlined />} onClick={load} data-testid="dashboard-reload" />
      <Typography.Text type="secondary">{t('dashboard.clickHint')}</Typography.Text>
    </Space>
  );

  if (error) return <>{toolbar}<Alert type="error" showIcon title={error} /></>;
  if (!data) return <>{toolbar}<Spin style={{ margin: 24 }} /></>;
  if (!data.audit) return <Alert type="info" showIcon title={t('dashboard.notAudit', { missing: data.missing.join(', ') })} data-testid="dashboard-not-audit" />;

  return (
    <div data-testid="dashboard">
      {toolbar}
      {data.calls === 0 ? <Empty description={t('dashboard.empty')} /> : <Body data={data} labels={labels} onOpen={(bucket, label) => setDrill({ bucket, label })} />}
      <CallsDrawer scenarioId={scenarioId} scope={scope} drill={drill} onClose={() => setDrill(null)} />
    </div>
  );
}

function Body({ data, labels, onOpen }: { data: AuditDashboard; labels: ChartLabels; onOpen: (bucket: string, label: string) => void }) {
  const { t } = useTranslation();
  const charts = useMemo(() => ({ score: scoreChart(data, labels), items: itemsChart(data, labels), fatal: fatalChart(data, labels), trend: trendChart(data, labels) }), [data, labels]);
  const pass = data.verdicts.find((v) => v.verdict === 'pass')?.count ?? 0;
  const verdictLabel = (v: string) => (v === 'pass' ? t('dashboard.verdictPass') : v === 'fail' ? t('dashboard.verdictFail') : v);
  const nonFatal = [...data.items.filter((i) => !i.fatal)].reverse().map((i) => i.name);
  const fatalNames = [...data.fatal].reverse().map((f) => f.name);
  const itemsHeight = Math.max(200, 26 * nonFatal.length + 60);
  return (
    <>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Row gutter={16} align="middle">
          <Col span={4}><Figure label={t('dashboard.calls')} value={data.calls} testId="dashboard-calls" /></Col>
          <Col span={4}><Figure label={t('dashboard.meanScore')} value={data.mean_score ?? '—'} testId="dashboard-mean" /></Col>
          <Col span={4}><Figure label={t('dashboard.passRate')} value={`${Math.round((1000 * pass) / data.calls) / 10}%`} /></Col>
          <Col span={4}><Figure label={t('dashboard.failedRuns')} value={data.failed_runs} /></Col>
          <Col span={8}>
            <div style={{ color: 'rgba(0,0,0,.45)', fontSize: 12 }}>{t('dashboard.verdicts')}</div>
            <Space wrap style={{ marginTop: 4 }}>
              {data.verdicts.map((v) => (
                <Tag
                  key={v.verdict}
                  color={v.verdict === 'pass' ? 'green' : v.verdict === 'fail' ? 'red' : 'default'}
                  style={{ cursor: 'pointer', fontSize: 13, padding: '2px 8px' }}
                  onClick={() => onOpen(formatBucket({ kind: 'verdict', verdict: v.verdict }), `${t('dashboard.verdict')} · ${verdictLabel(v.verdict)}`)}
                  data-testid={`verdict-${v.verdict}`}
                >
                  {`${verdictLabel(v.verdict)} ${v.count}`}
                </Tag>
              ))}
            </Space>
          </Col>
        </Row>
      </Card>
      <Row gutter={12} style={{ marginBottom: 12 }}>
        <Col span={12}>
          <DrillCard title={t('dashboard.scoreChart')} chart={charts.score} height={itemsHeight} testId="chart-score" onOpen={onOpen} categories={data.score.map((b) => `${b.from}-${b.to}`)} />
        </Col>
        <Col span={12}>
          <DrillCard title={t('dashboard.itemsChart')} chart={charts.items} height={itemsHeight} testId="chart-items" onOpen={onOpen} categories={nonFatal} />
        </Col>
      </Row>
      <Row gutter={12}>
        <Col span={12}>
          <DrillCard title={t('dashboard.fatalChart')} chart={charts.fatal} height={Math.max(160, 34 * fatalNames.length + 60)} testId="chart-fatal" onOpen={onOpen} categories={fatalNames} />
        </Col>
        <Col span={12}>
          <DrillCard title={t('dashboard.trendChart')} chart={charts.trend} height={Math.max(160, 34 * fatalNames.length + 60)} testId="chart-trend" onOpen={onOpen} categories={data.trend.points.map((p) => new Date(p.start).toLocaleString())} />
        </Col>
      </Row>
    </>
  );
}
