import { useEffect, useState } from 'react';
import { Alert, Drawer, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../publish/http';
import { dashboardApi, type CallPage, type DashboardScope } from '../jobs/api';
import { CallDetailDrawer } from './CallDetail';
import { VerdictTag } from './VerdictTag';

const PAGE = 20;

/** The calls behind a bar, worst first, a page at a time; a click opens one. */
export function CallsDrawer({ scenarioId, scope, drill, onClose }: { scenarioId: string; scope: DashboardScope; drill: { bucket: string; label: string } | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<CallPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<{ jobId: string; itemId: string; line?: number } | null>(null);

  useEffect(() => setOffset(0), [drill?.bucket]);
  useEffect(() => {
    if (!drill) return;
    let live = true;
    setPage(null);
    setError(null);
    dashboardApi.calls(scenarioId, scope, drill.bucket, offset, PAGE).then(
      (p) => live && setPage(p),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [scenarioId, scope, drill, offset]);

  return (
    <Drawer open={drill !== null} onClose={onClose} size={860} push={false} title={drill ? t('dashboard.drawerTitle', { bucket: drill.label }) : ''} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} />}
      <Table
        size="small"
        rowKey={(c) => `${c.job_id}/${c.line ?? c.item_id}`}
        loading={page === null && !error}
        dataSource={page?.calls ?? []}
        data-testid="calls-table"
        onRow={(c) => ({ onClick: () => setOpen({ jobId: c.job_id, itemId: c.item_id, line: c.line }), style: { cursor: 'pointer' } })}
        pagination={page && page.total > PAGE ? { current: Math.floor(offset / PAGE) + 1, pageSize: PAGE, total: page.total, onChange: (p) => setOffset((p - 1) * PAGE), showSizeChanger: false } : false}
        columns={[
          { title: t('dashboard.callId'), dataIndex: 'item_id', width: 190, render: (_, c) => <Typography.Text code style={{ fontSize: 12 }}>{c.item_id}</Typography.Text> },
          { title: t('dashboard.score'), dataIndex: 'score', width: 64, render: (_, c) => <strong>{c.score ?? '—'}</strong> },
          { title: t('dashboard.verdict'), dataIndex: 'verdict', width: 80, render: (_, c) => <VerdictTag verdict={c.verdict} /> },
          {
            title: t('dashboard.failing'),
            dataIndex: 'failing',
            render: (_, c) => (
              <Space size={[4, 4]} wrap>
                {c.failing.map((f) => (
                  <Tooltip key={f.id} title={`${f.reason}${f.evidence.length > 0 ? ` (${t('dashboard.evidence')}: ${f.evidence.join(', ')})` : ''}`}>
                    <Tag color={f.fatal ? 'magenta' : 'orange'} style={{ marginInlineEnd: 0 }}>
                      {f.name}
                      {f.evidence.length > 0 && <span style={{ opacity: 0.7 }}>{` · ${f.evidence.join(',')}`}</span>}
                    </Tag>
                  </Tooltip>
                ))}
              </Space>
            ),
          },
        ]}
      />
      {page && <Typography.Text type="secondary">{`${page.total}`}</Typography.Text>}
      <CallDetailDrawer scenarioId={scenarioId} call={open} onClose={() => setOpen(null)} />
    </Drawer>
  );
}
