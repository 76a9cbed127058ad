import { useCallback, useEffect, useState } from 'react';
import { App, Button, Popconfirm, Table, Tag, Typography } from 'antd';
import { KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { keysApi, type ApiKey } from '../keys/api';
import { CreateKeyModal } from '../keys/CreateKeyModal';
import { useCan } from '../auth/store';
import { errorText } from '../publish/http';

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** Admin page of API keys: list, create (shown once), revoke. */
export default function KeysPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [creating, setCreating] = useState(false);
  const canWrite = useCan('keys:write');

  const load = useCallback(() => {
    keysApi.list().then(setKeys, (e: unknown) => message.error(errorText(e)));
  }, [message]);
  useEffect(load, [load]);

  const revoke = async (key: ApiKey) => {
    try {
      await keysApi.revoke(key.id);
      message.success(t('keys.revoked', { name: key.name }));
      load();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div style={{ padding: 24, maxWidth: 1200, margin: '0 auto' }} data-testid="keys-page">
      <div style={{ display: 'flex', alignItems: 'center', marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0, flex: 1 }} data-testid="keys-title">
          <KeyOutlined /> {t('keys.title')}
        </Typography.Title>
        {canWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="key-create">{t('keys.create')}</Button>}
      </div>
      <Typography.Paragraph type="secondary">{t('keys.intro')}</Typography.Paragraph>
      <Table
        rowKey="id"
        loading={keys === null}
        dataSource={keys ?? []}
        pagination={false}
        data-testid="keys-table"
        locale={{ emptyText: t('keys.empty') }}
        rowClassName={(k) => (k.revoked_at ? 'mf-row-revoked' : '')}
        columns={[
          { title: t('keys.name'), dataIndex: 'name', render: (_, k) => <strong>{k.name}</strong> },
          { title: t('keys.prefix'), dataIndex: 'prefix', render: (_, k) => <Typography.Text code>{k.prefix}…</Typography.Text> },
          {
            title: t('keys.scope'),
            dataIndex: 'scenarios',
            render: (_, k) => (k.scenarios === null ? <Tag>{t('keys.scopeAll')}</Tag> : k.scenarios.map((s) => <Tag color="blue" key={s}>{s}</Tag>)),
          },
          { title: t('keys.extraScopes'), dataIndex: 'scopes', render: (_, k) => (k.scopes.includes('runs:read') ? <Tag color="orange">{t('keys.readAllRunsTag')}</Tag> : <Typography.Text type="secondary">{t('keys.ownOnly')}</Typography.Text>) },
          { title: t('keys.rateLimit'), dataIndex: 'rate_limit', render: (_, k) => (k.rate_limit === null ? t('keys.rateDefault') : t('keys.rate', { n: k.rate_limit })) },
          { title: t('keys.created'), dataIndex: 'created_at', render: (_, k) => when(k.created_at) },
          { title: t('keys.lastUsed'), dataIndex: 'last_used_at', render: (_, k) => when(k.last_used_at) },
          {
            title: t('keys.status'),
            dataIndex: 'revoked_at',
            render: (_, k) => (k.revoked_at ? <Tag color="red">{t('keys.revokedAt', { when: when(k.revoked_at) })}</Tag> : <Tag color="green">{t('keys.active')}</Tag>),
          },
          {
            title: '',
            width: 90,
            render: (_, k) =>
              k.revoked_at || !canWrite ? null : (
                <Popconfirm title={t('keys.revokeConfirm', { name: k.name })} description={t('keys.revokeHint')} onConfirm={() => void revoke(k)} okText={t('keys.revoke')} okButtonProps={{ danger: true }} cancelText={t('list.cancel')}>
                  <Button size="small" danger data-testid={`revoke-${k.prefix}`}>{t('keys.revoke')}</Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <CreateKeyModal open={creating} onClose={() => setCreating(false)} onCreated={load} />
    </div>
  );
}
