import { Descriptions, Drawer, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from './api';
import { actionLabel, typeLabel } from './labels';
import { summaryText } from './summary';

function Digest({ value }: { value: string | null }) {
  const { t } = useTranslation();
  if (value === null) return <Typography.Text type="secondary">{t('auditLog.none')}</Typography.Text>;
  return <Typography.Text code copyable style={{ wordBreak: 'break-all', fontSize: 12 }}>{value}</Typography.Text>;
}

/** One entry in full: who, when, from where, what, and the digests of the object before and after. */
export function AuditDetail({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Drawer open={entry !== null} onClose={onClose} title={t('auditLog.detail')} size={560} data-testid="audit-detail">
      {entry && (
        <>
          <Descriptions column={1} bordered size="small">
            <Descriptions.Item label={t('auditLog.time')}>{new Date(entry.at).toLocaleString()}</Descriptions.Item>
            <Descriptions.Item label={t('auditLog.action')}>
              <span data-testid="audit-detail-action">{actionLabel(t, entry.action)}</span> <Typography.Text type="secondary" code>{entry.action}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('auditLog.actor')}>
              <Tag>{typeLabel(t, 'actorTypes', entry.actor_type)}</Tag>
              <span data-testid="audit-detail-actor">{entry.actor_name ?? entry.actor_id ?? ''}</span>
              {entry.actor_id && entry.actor_id !== entry.actor_name && <Typography.Text type="secondary"> ({entry.actor_id})</Typography.Text>}
            </Descriptions.Item>
            <Descriptions.Item label={t('auditLog.address')}>{entry.client_address ?? t('auditLog.none')}</Descriptions.Item>
            <Descriptions.Item label={t('auditLog.target')}>
              {entry.target_type ? (
                <>
                  <Tag>{typeLabel(t, 'targetTypes', entry.target_type)}</Tag>
                  {entry.target_name}
                  {entry.target_id && <Typography.Text type="secondary" copyable={{ text: entry.target_id }}> ({entry.target_id})</Typography.Text>}
                </>
              ) : (
                t('auditLog.none')
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('auditLog.summary')}><span data-testid="audit-detail-summary">{summaryText(t, entry) || t('auditLog.none')}</span></Descriptions.Item>
            <Descriptions.Item label={t('auditLog.before')}><Digest value={entry.before_digest} /></Descriptions.Item>
            <Descriptions.Item label={t('auditLog.after')}><span data-testid="audit-detail-after"><Digest value={entry.after_digest} /></span></Descriptions.Item>
            <Descriptions.Item label={t('auditLog.id')}><Typography.Text type="secondary" copyable>{entry.id}</Typography.Text></Descriptions.Item>
          </Descriptions>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t('auditLog.digestHint')}</Typography.Paragraph>
        </>
      )}
    </Drawer>
  );
}
