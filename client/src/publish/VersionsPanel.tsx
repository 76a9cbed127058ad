import { useEffect, useState } from 'react';
import { App, Button, Empty, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { metricValue } from './gate-api';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/store';
import { publishApi, type VersionSummary } from './api';
import { DiffModal, type DiffRequest } from './DiffModal';
import { errorText } from './http';
import { usePublication } from './store';

/** The versions tab: every published version, rollback, and a visual diff of two versions or a version and the draft. */
export function VersionsPanel({ scenarioId, onPublish }: { scenarioId: string; onPublish(): void }) {
  const { t } = useTranslation();
  const canPublish = useCan('scenarios:publish');
  const { message } = App.useApp();
  const stamp = usePublication((s) => s.stamp);
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | 'draft'>('draft');
  const [diff, setDiff] = useState<DiffRequest | null>(null);

  useEffect(() => {
    let live = true;
    publishApi.versions(scenarioId).then(
      (list) => {
        if (!live) return;
        setVersions(list);
        // Default comparison: the previous version against the newest, or the only version against the draft.
        setFrom(list[1]?.version ?? list[0]?.version ?? null);
        setTo(list.length > 1 ? list[0].version : 'draft');
      },
      (e: unknown) => live && message.error(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [scenarioId, stamp, message]);

  const rollback = async (version: number) => {
    try {
      await publishApi.rollback(scenarioId, version);
      message.success(t('versions.rolledBack', { version }));
      await usePublication.getState().changed();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  if (versions === null) return null;
  if (versions.length === 0)
    return (
      <Empty description={t('versions.none')} data-testid="versions-empty">
        {canPublish && <Button type="primary" onClick={onPublish}>{t('publish.button')}</Button>}
      </Empty>
    );

  const options = versions.map((v) => ({ value: v.version, label: `v${v.version}` }));
  return (
    <div data-testid="versions-panel">
      <Table
        size="small"
        rowKey="version"
        pagination={false}
        dataSource={versions}
        data-testid="versions-table"
        columns={[
          {
            title: t('versions.version'),
            dataIndex: 'version',
            width: 90,
            render: (_, v) => (
              <Space size={4} data-testid={`version-${v.version}`}>
                <strong>v{v.version}</strong>
                {v.live && <Tag color="green" data-testid="live-tag">{t('versions.live')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('versions.who'),
            dataIndex: 'created_by',
            render: (_, v) => (
              <div>
                <div>{v.created_by || '—'}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{new Date(v.created_at).toLocaleString()}</Typography.Text>
              </div>
            ),
          },
          {
            title: t('versions.note'),
            dataIndex: 'note',
            render: (_, v) => (
              <div>
                {v.note || <Typography.Text type="secondary">—</Typography.Text>}
                {v.gate?.status === 'passed' && <div><Tag color="green" data-testid={`version-gate-${v.version}`}>{t('gate.versionPassed', { value: metricValue(v.gate.value) })}</Tag></div>}
                {v.gate?.status === 'overridden' && (
                  <div>
                    <Tooltip title={t('gate.versionOverriddenNote', { by: v.gate.override_by ?? '', metric: v.gate.metric, value: metricValue(v.gate.value), note: v.gate.override_note ?? '' })}>
                      <Tag color="orange" data-testid={`version-gate-${v.version}`}>{t('gate.versionOverridden')}</Tag>
                    </Tooltip>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`version-override-note-${v.version}`}>{v.gate.override_note}</Typography.Text>
                  </div>
                )}
              </div>
            ),
          },
          {
            title: '',
            width: 80,
            render: (_, v) =>
              v.live || !canPublish ? null : (
                <Popconfirm title={t('versions.rollbackConfirm', { version: v.version })} description={t('versions.rollbackHint')} onConfirm={() => void rollback(v.version)} okText={t('list.ok')} cancelText={t('list.cancel')}>
                  <Button size="small" data-testid={`rollback-${v.version}`}>{t('versions.rollback')}</Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('versions.compare')}</Typography.Title>
      <Space wrap>
        <Select size="small" value={from ?? undefined} options={options} onChange={setFrom} style={{ width: 100 }} data-testid="diff-from" />
        →
        <Select size="small" value={to} options={[{ value: 'draft', label: t('versions.draft') }, ...options]} onChange={setTo} style={{ width: 120 }} data-testid="diff-to" />
        <Button size="small" type="primary" disabled={from === null || from === to} onClick={() => from !== null && setDiff({ from, to })} data-testid="diff-open">
          {t('versions.showDiff')}
        </Button>
      </Space>
      <DiffModal scenarioId={scenarioId} request={diff} onClose={() => setDiff(null)} />
    </div>
  );
}
