import { useCallback, useEffect, useState } from 'react';
import { App, Button, Empty, Select, Space, Table, Tag, Typography } from 'antd';
import { EyeOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../publish/http';
import { publishApi } from '../publish/api';
import { usePublication } from '../publish/store';
import { fillBuckets, RANGES, runsLogApi, type ApiRunSummary, type MetricsBucket, type RangeKey, type RunFilter } from './api';
import { MetricsCharts } from './MetricsCharts';
import { SimulatedTag } from '../common/SimulatedTag';
import { RunTraceDrawer } from './RunTraceDrawer';
import { AddToSet } from '../evaluation/AddToSet';

const STATUS_COLOR: Record<string, string> = { succeeded: 'green', failed: 'red', running: 'blue' };
const RANGE_KEYS = Object.keys(RANGES).filter((k): k is RangeKey => k in RANGES);

/** The logs tab: a scenario's API runs (filtered by status, version and time), each run's trace, and metrics charts. */
export default function LogsPanel({ scenarioId }: { scenarioId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const stamp = usePublication((s) => s.stamp);
  const [status, setStatus] = useState<'succeeded' | 'failed' | 'all'>('all');
  const [version, setVersion] = useState<number | 'all'>('all');
  const [range, setRange] = useState<RangeKey>('24h');
  const [versions, setVersions] = useState<number[]>([]);
  const [rows, setRows] = useState<ApiRunSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [buckets, setBuckets] = useState<MetricsBucket[]>([]);
  const [loading, setLoading] = useState(false);
  const [trace, setTrace] = useState<string | null>(null);

  useEffect(() => {
    publishApi.versions(scenarioId).then((v) => setVersions(v.map((x) => x.version)), () => setVersions([]));
  }, [scenarioId, stamp]);

  const filter = useCallback((): RunFilter => {
    const to = Date.now() + 1000;
    return { status: status === 'all' ? undefined : status, version: version === 'all' ? undefined : version, from: to - RANGES[range].ms, to };
  }, [status, version, range]);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const f = filter();
      const [page, metrics] = await Promise.all([runsLogApi.runs(scenarioId, f), runsLogApi.metrics(scenarioId, f.from ?? 0, f.to ?? Date.now(), RANGES[range].bucket)]);
      setRows(page.items);
      setCursor(page.next_cursor);
      setBuckets(fillBuckets(metrics));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setLoading(false);
    }
  }, [scenarioId, filter, range, message]);
  useEffect(() => void load(), [load]);

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await runsLogApi.runs(scenarioId, filter(), cursor);
      setRows((r) => [...r, ...page.items]);
      setCursor(page.next_cursor);
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div data-testid="logs-panel">
      <Space wrap style={{ marginBottom: 12 }}>
        <Select size="small" value={status} onChange={setStatus} style={{ width: 110 }} data-testid="logs-status"
          options={[{ value: 'all', label: t('logs.allStatus') }, { value: 'succeeded', label: t('run.status.succeeded') }, { value: 'failed', label: t('run.status.failed') }]} />
        <Select size="small" value={version} onChange={setVersion} style={{ width: 110 }} data-testid="logs-version"
          options={[{ value: 'all', label: t('logs.allVersions') }, ...versions.map((v) => ({ value: v, label: `v${v}` }))]} />
        <Select size="small" value={range} onChange={setRange} style={{ width: 130 }} data-testid="logs-range"
          options={RANGE_KEYS.map((k) => ({ value: k, label: t(`logs.range.${k}`) }))} />
        <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()} loading={loading} data-testid="logs-refresh">{t('logs.refresh')}</Button>
      </Space>
      <MetricsCharts buckets={buckets} bucket={RANGES[range].bucket} />
      <Typography.Title level={5} style={{ marginTop: 12 }}>{t('logs.runs')}</Typography.Title>
      <Table
        size="small"
        rowKey="id"
        dataSource={rows}
        pagination={false}
        data-testid="logs-table"
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('logs.empty')} /> }}
        onRow={(r) => ({ onClick: () => setTrace(r.id), style: { cursor: 'pointer' } })}
        // The side panel is 420 px: short times, icon actions, and cells that cut with their whole text in a tooltip.
        tableLayout="fixed"
        columns={[
          {
            title: t('logs.time'),
            dataIndex: 'created_at',
            width: 96,
            render: (_, r) => {
              const at = new Date(r.created_at);
              return <span title={at.toLocaleString(i18n.language)} style={{ whiteSpace: 'nowrap' }}>{at.toLocaleString(i18n.language, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })}</span>;
            },
          },
          {
            title: t('logs.status'),
            dataIndex: 'status',
            render: (_, r) => (
              <Space size={2} wrap>
                <Tag color={STATUS_COLOR[r.status]} style={{ marginInlineEnd: 0 }}>{t(`run.status.${r.status}`)}</Tag>
                {r.simulated && <SimulatedTag testId="log-simulated" />}
                {r.error_code && <Typography.Text type="danger" style={{ fontSize: 12 }} ellipsis={{ tooltip: r.error_code }}>{t(`runError.${r.error_code}`, { defaultValue: r.error_code })}</Typography.Text>}
              </Space>
            ),
          },
          { title: t('logs.version'), dataIndex: 'version', width: 48, ellipsis: true, render: (_, r) => (r.version === null ? '—' : `v${r.version}`) },
          {
            title: t('logs.latencyTokens'),
            key: 'cost',
            width: 76,
            align: 'right',
            render: (_, r) => (
              <span style={{ fontSize: 12, whiteSpace: 'nowrap' }} title={`${t('logs.latency')} · ${t('logs.tokens')}`}>
                {r.latency_ms === null ? '—' : `${Math.round(r.latency_ms)} ms`}
                <br />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.usage ? r.usage.prompt_tokens + r.usage.completion_tokens : '—'}</Typography.Text>
              </span>
            ),
          },
          {
            title: '',
            key: 'actions',
            width: 64,
            render: (_, r) => (
              <Space size={0}>
                <Button size="small" type="link" icon={<EyeOutlined />} title={t('logs.trace')} aria-label={t('logs.trace')} onClick={(e) => { e.stopPropagation(); setTrace(r.id); }} data-testid="logs-trace" />
                {r.status === 'succeeded' && <AddToSet scenarioId={scenarioId} source={{ run_id: r.id }} testId="logs-add-to-set" compact />}
              </Space>
            ),
          },
        ]}
      />
      {cursor && <Button size="small" block style={{ marginTop: 8 }} onClick={() => void more()}>{t('logs.more')}</Button>}
      <RunTraceDrawer runId={trace} onClose={() => setTrace(null)} />
    </div>
  );
}
