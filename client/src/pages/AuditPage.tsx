import { useCallback, useEffect, useState } from 'react';
import { App, Button, Table, Tag, Typography } from 'antd';
import { AuditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../auth/use-error-text';
import { auditApi, type AuditEntry, type AuditFilters } from '../audit/api';
import { AuditDetail } from '../audit/AuditDetail';
import { AuditFilterBar } from '../audit/AuditFilterBar';
import { actionLabel, typeLabel } from '../audit/labels';
import { summaryText } from '../audit/summary';

/**
 * The audit log for admins (`audit:read`): filters, the entries newest first with "load more", an entry's
 * details (digests, summary) on a click, and the CSV export of what the filters match.
 */
export default function AuditPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [open, setOpen] = useState<AuditEntry | null>(null);

  const load = useCallback(
    async (applied: AuditFilters, after?: string) => {
      setLoading(true);
      try {
        const page = await auditApi.page(applied, after);
        setEntries((shown) => (after ? [...shown, ...page.entries] : page.entries));
        setCursor(page.next_cursor);
      } catch (e) {
        message.error(errorText(e));
      } finally {
        setLoading(false);
      }
    },
    [message, errorText],
  );
  useEffect(() => void load(filters), [load, filters]);

  return (
    <div style={{ padding: 24, maxWidth: 1400, margin: '0 auto' }} data-testid="audit-page">
      <Typography.Title level={3} style={{ marginTop: 0 }} data-testid="audit-title">
        <AuditOutlined /> {t('auditLog.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('auditLog.intro')}</Typography.Paragraph>
      <AuditFilterBar applied={filters} onApply={setFilters} />
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={entries}
        pagination={false}
        data-testid="audit-table"
        locale={{ emptyText: t('auditLog.empty') }}
        onRow={(entry) => ({ onClick: () => setOpen(entry), style: { cursor: 'pointer' }, 'data-testid': 'audit-row' })}
        columns={[
          { title: t('auditLog.time'), dataIndex: 'at', width: 170, render: (_, e) => new Date(e.at).toLocaleString() },
          {
            title: t('auditLog.actor'),
            dataIndex: 'actor_name',
            width: 190,
            render: (_, e) => (
              <span data-testid="audit-actor">
                <Tag>{typeLabel(t, 'actorTypes', e.actor_type)}</Tag>
                {e.actor_name ?? e.actor_id ?? ''}
              </span>
            ),
          },
          { title: t('auditLog.action'), dataIndex: 'action', width: 150, render: (_, e) => <strong data-testid="audit-action">{actionLabel(t, e.action)}</strong> },
          {
            title: t('auditLog.target'),
            dataIndex: 'target_name',
            width: 230,
            render: (_, e) =>
              e.target_type ? (
                <span data-testid="audit-target">
                  <Tag color="blue">{typeLabel(t, 'targetTypes', e.target_type)}</Tag>
                  {e.target_name ?? e.target_id}
                </span>
              ) : null,
          },
          { title: t('auditLog.summary'), dataIndex: 'summary', ellipsis: true, render: (_, e) => summaryText(t, e) },
          { title: t('auditLog.address'), dataIndex: 'client_address', width: 120 },
        ]}
      />
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, marginTop: 12 }}>
        <Typography.Text type="secondary" data-testid="audit-count">{t('auditLog.count', { count: entries.length })}</Typography.Text>
        {cursor !== null && (
          <Button onClick={() => void load(filters, cursor)} loading={loading} data-testid="audit-more">{t('auditLog.more')}</Button>
        )}
      </div>
      <AuditDetail entry={open} onClose={() => setOpen(null)} />
    </div>
  );
}
