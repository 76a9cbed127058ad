import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { ApiOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { endpointsApi, type EndpointTestReply, type ModelEndpoint, type ModelEndpointList } from '../endpoints/api';
import { refreshAliases } from '../endpoints/aliases';
import { EndpointModal } from '../endpoints/EndpointModal';
import { HealthCell } from '../endpoints/HealthCell';
import { errorText } from '../publish/http';

/** The reply of a connection test, shown under the endpoint's row. */
function TestResult({ reply }: { reply: EndpointTestReply }) {
  const { t } = useTranslation();
  if (reply.ok) {
    return (
      <Alert
        type="success"
        showIcon
        data-testid="endpoint-test-result"
        message={t('endpoints.testOk', { model: reply.model, ms: reply.latency_ms })}
        description={
          <span>
            {t('endpoints.testReply')}: <Typography.Text code>{reply.reply}</Typography.Text>
          </span>
        }
      />
    );
  }
  return <Alert type="error" showIcon data-testid="endpoint-test-result" message={t('endpoints.testFailed', { code: reply.error.code })} description={reply.error.message} />;
}

/** Admin page of model endpoints: the table with health, add / edit / delete, and a connection test per endpoint. */
export default function EndpointsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [list, setList] = useState<ModelEndpointList | null>(null);
  const [editing, setEditing] = useState<ModelEndpoint | null>(null);
  const [modalOpen, setModalOpen] = useState(false);
  const [testing, setTesting] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, EndpointTestReply>>({});

  const load = useCallback(() => {
    endpointsApi.list().then(setList, (e: unknown) => message.error(errorText(e)));
  }, [message]);
  useEffect(() => {
    load();
    // Health moves while calls go on: refreshed every few seconds while the page is open.
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [load]);

  const changed = () => {
    refreshAliases();
    load();
  };
  const remove = async (endpoint: ModelEndpoint) => {
    try {
      await endpointsApi.remove(endpoint.id);
      message.success(t('endpoints.deleted', { name: endpoint.name }));
      changed();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const test = async (endpoint: ModelEndpoint) => {
    setTesting(endpoint.id);
    try {
      const reply = await endpointsApi.test(endpoint.id);
      setResults((r) => ({ ...r, [endpoint.id]: reply }));
      load();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setTesting(null);
    }
  };

  const vars = list?.env_variables.join(', ') ?? '';
  return (
    <div style={{ padding: 24, maxWidth: 1280, margin: '0 auto' }} data-testid="endpoints-page">
      <div style={{ display: 'flex', alignItems: 'center', marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0, flex: 1 }}>
          <ApiOutlined /> {t('endpoints.title')}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => { setEditing(null); setModalOpen(true); }} data-testid="endpoint-add">
          {t('endpoints.add')}
        </Button>
      </div>
      <Typography.Paragraph type="secondary">{t('endpoints.intro')}</Typography.Paragraph>
      <Table
        rowKey="id"
        loading={list === null}
        dataSource={list?.endpoints ?? []}
        pagination={false}
        data-testid="endpoints-table"
        locale={{ emptyText: t('endpoints.empty') }}
        expandable={{
          expandedRowKeys: (list?.endpoints ?? []).filter((e) => results[e.id] || e.source !== 'db').map((e) => e.id),
          showExpandColumn: false,
          expandedRowRender: (e) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {e.source === 'env' && <Typography.Text type="secondary" data-testid="endpoint-env-note">{t('endpoints.envNote', { vars })}</Typography.Text>}
              {e.source === 'simulator' && <Typography.Text type="warning">{t('endpoints.simulatorNote')}</Typography.Text>}
              {results[e.id] && <TestResult reply={results[e.id]} />}
            </Space>
          ),
        }}
        columns={[
          {
            title: t('endpoints.name'),
            dataIndex: 'name',
            render: (_, e) => (
              <Space direction="vertical" size={0}>
                <strong>{e.name}</strong>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{e.base_url ?? '—'}</Typography.Text>
              </Space>
            ),
          },
          {
            title: t('endpoints.source'),
            dataIndex: 'source',
            render: (_, e) => <Tag color={e.source === 'db' ? 'blue' : e.source === 'env' ? 'purple' : 'orange'}>{t(e.source === 'db' ? 'endpoints.sourceDb' : e.source === 'env' ? 'endpoints.sourceEnv' : 'endpoints.sourceSimulator')}</Tag>,
          },
          {
            title: t('endpoints.models'),
            dataIndex: 'models',
            render: (_, e) => (
              <Space direction="vertical" size={0}>
                {Object.entries(e.models).map(([alias, model]) => (
                  <span key={alias}>
                    <Tag color="geekblue">{alias}</Tag>
                    <Typography.Text style={{ fontSize: 12 }}>{model}</Typography.Text>
                  </span>
                ))}
              </Space>
            ),
          },
          { title: t('endpoints.apiKey'), dataIndex: 'api_key', render: (_, e) => (e.api_key.set ? (e.api_key.last4 ? t('endpoints.keySet', { last4: e.api_key.last4 }) : t('endpoints.keySetShort')) : t('endpoints.keyNone')) },
          { title: t('endpoints.health'), dataIndex: 'health', render: (_, e) => <HealthCell endpoint={e} /> },
          {
            title: '',
            width: 260,
            render: (_, e) => (
              <Space wrap>
                <Button size="small" loading={testing === e.id} onClick={() => void test(e)} data-testid={`endpoint-test-${e.name}`}>
                  {testing === e.id ? t('endpoints.testing') : t('endpoints.test')}
                </Button>
                {e.source === 'db' && (
                  <>
                    <Button size="small" onClick={() => { setEditing(e); setModalOpen(true); }} data-testid={`endpoint-edit-${e.name}`}>{t('endpoints.edit')}</Button>
                    <Popconfirm title={t('endpoints.deleteConfirm', { name: e.name })} description={t('endpoints.deleteHint')} onConfirm={() => void remove(e)} okText={t('endpoints.delete')} okButtonProps={{ danger: true }} cancelText={t('list.cancel')}>
                      <Button size="small" danger data-testid={`endpoint-delete-${e.name}`}>{t('endpoints.delete')}</Button>
                    </Popconfirm>
                  </>
                )}
              </Space>
            ),
          },
        ]}
      />
      <EndpointModal
        open={modalOpen}
        editing={editing}
        onClose={() => setModalOpen(false)}
        onSaved={() => {
          setModalOpen(false);
          changed();
        }}
      />
    </div>
  );
}
