import { useCallback, useEffect, useState } from 'react';
import { App, Button, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { AppstoreOutlined, CopyOutlined, DeleteOutlined, EditOutlined, ExperimentOutlined, ExportOutlined, ImportOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, type ScenarioSummary } from '../api';
import { useCan } from '../auth/store';
import { navigate } from '../router';
import { ScenarioTemplateTag } from '../templates/ScenarioTemplateTag';
import { exportScenarioFile, importScenarioFile } from '../templates/scenario-files';
import { apiErrorText } from '../i18n/api-error-text';

type Dialog = { mode: 'create' } | { mode: 'rename'; scenario: ScenarioSummary } | null;

function formatTime(value: string | number | undefined): string {
  if (value === undefined) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString();
}

/** The scenario list: search, create, open, rename, duplicate, delete, import. */
export function ScenarioList() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [rows, setRows] = useState<ScenarioSummary[]>([]);
  const [loading, setLoading] = useState(true);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [form] = Form.useForm<{ name: string; description?: string }>();
  const canWrite = useCan('scenarios:write');
  const canEval = useCan('eval:read');

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setRows(await api.listScenarios(q));
    } catch (error) {
      message.error(apiErrorText(error));
    } finally {
      setLoading(false);
    }
  }, [q, message]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [load]);

  const submit = async () => {
    const values = await form.validateFields();
    try {
      if (dialog?.mode === 'rename') {
        await api.updateScenario(dialog.scenario.id, { name: values.name, description: values.description ?? '' });
        setDialog(null);
        void load();
      } else {
        const created = await api.createScenario({ name: values.name, description: values.description });
        setDialog(null);
        navigate({ page: 'editor', id: created.id });
      }
    } catch (error) {
      message.error(apiErrorText(error));
    }
  };

  const importFile = async () => {
    // The server reads both a scenario export file and a bare graph, and says what is wrong with anything else.
    const created = await importScenarioFile().catch((error: unknown) => void message.error(t('gallery.badFile', { reason: apiErrorText(error) })));
    if (!created) return;
    message.success(t('gallery.importedScenario', { name: created.name }));
    navigate({ page: 'editor', id: created.id });
  };

  const open = (dlg: Dialog) => {
    form.resetFields();
    if (dlg?.mode === 'rename') form.setFieldsValue({ name: dlg.scenario.name, description: dlg.scenario.description });
    setDialog(dlg);
  };

  return (
    <div style={{ maxWidth: 1100, margin: '0 auto', padding: 24 }}>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>{t('list.title')}</Typography.Title>
        <Space>
          <Input.Search allowClear placeholder={t('list.search')} value={q} onChange={(e) => setQ(e.target.value)} style={{ width: 260 }} data-testid="list-search" />
          {canWrite && (
            <>
              <Button icon={<ImportOutlined />} onClick={() => void importFile()} data-testid="import-scenario">{t('list.import')}</Button>
              <Button icon={<AppstoreOutlined />} onClick={() => navigate({ page: 'gallery' })} data-testid="from-template">{t('gallery.fromTemplate')}</Button>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => open({ mode: 'create' })} data-testid="create-scenario">
                {t('list.create')}
              </Button>
            </>
          )}
        </Space>
      </Space>
      <Table<ScenarioSummary>
        rowKey="id"
        loading={loading}
        dataSource={rows}
        locale={{ emptyText: t('list.empty') }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(row) => ({ onDoubleClick: () => navigate({ page: 'editor', id: row.id }) })}
        columns={[
          {
            title: t('list.name'),
            dataIndex: 'name',
            render: (_, row) => (
              <>
                <a onClick={() => navigate({ page: 'editor', id: row.id })} data-testid="scenario-link">{row.name}</a>
                <ScenarioTemplateTag row={row} onUpdated={() => void load()} />
                {row.slug && row.live_version !== null ? (
                  <Tag color="green" style={{ marginLeft: 8 }} data-testid="published-tag">
                    {t('list.published', { version: row.live_version, slug: row.slug })}
                  </Tag>
                ) : null}
              </>
            ),
          },
          { title: t('list.description'), dataIndex: 'description', ellipsis: true },
          { title: t('list.nodeCount'), width: 110, render: (_, row) => t('list.nodes', { count: row.node_count }) },
          { title: t('list.updated'), width: 190, render: (_, row) => formatTime(row.updated_at) },
          {
            title: t('list.actions'),
            width: canWrite ? 420 : canEval ? 250 : 160,
            render: (_, row) => (
              <Space size={0}>
                <Button size="small" type="link" onClick={() => navigate({ page: 'editor', id: row.id })}>{t('list.open')}</Button>
                {canEval && <Button size="small" type="link" icon={<ExperimentOutlined />} onClick={() => navigate({ page: 'eval', scenarioId: row.id })} data-testid="scenario-eval">{t('evalSets.nav')}</Button>}
                {canWrite && <Button size="small" type="link" icon={<EditOutlined />} onClick={() => open({ mode: 'rename', scenario: row })}>{t('list.rename')}</Button>}
                {canWrite && <Button
                  size="small"
                  type="link"
                  icon={<CopyOutlined />}
                  onClick={async () => {
                    await api.duplicateScenario(row.id);
                    message.success(t('list.duplicated'));
                    void load();
                  }}
                >
                  {t('list.duplicate')}
                </Button>}
                <Button size="small" type="link" icon={<ExportOutlined />} onClick={() => void exportScenarioFile(row.id).catch((e: unknown) => message.error(String(e)))}>
                  {t('gallery.exportScenario')}
                </Button>
                {canWrite && <Popconfirm
                  title={t('list.deleteConfirm', { name: row.name })}
                  okText={t('list.delete')}
                  okButtonProps={{ danger: true }}
                  cancelText={t('list.cancel')}
                  onConfirm={async () => {
                    await api.deleteScenario(row.id);
                    message.success(t('list.deleted'));
                    void load();
                  }}
                >
                  <Button size="small" type="link" danger icon={<DeleteOutlined />}>{t('list.delete')}</Button>
                </Popconfirm>}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={dialog !== null}
        title={dialog?.mode === 'rename' ? t('list.rename') : t('list.createTitle')}
        okText={t('list.ok')}
        cancelText={t('list.cancel')}
        onOk={() => void submit()}
        onCancel={() => setDialog(null)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={() => void submit()}>
          <Form.Item name="name" label={t('list.name')} rules={[{ required: true, whitespace: true, message: t('list.nameRequired') }]}>
            <Input placeholder={t('list.namePlaceholder')} autoFocus data-testid="scenario-name-input" />
          </Form.Item>
          <Form.Item name="description" label={t('list.description')}>
            <Input.TextArea rows={2} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
