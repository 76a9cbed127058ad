import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Empty, Form, Input, Popconfirm, Row, Space, Table, Typography } from 'antd';
import { AlertOutlined, ArrowLeftOutlined, AuditOutlined, DeleteOutlined, ImportOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, type Scenario } from '../api';
import { useCan } from '../auth/store';
import { SimulatedTag } from '../common/SimulatedTag';
import { errorText } from '../publish/http';
import { navigate } from '../router';
import { evalApi, type EvalSetSummary, type EvalTargets } from './api';
import { SetView } from './SetView';
import { EvalRuns } from './EvalRuns';
import { GateCard } from './GateCard';
import { MetricSettingsCard } from './MetricSettingsCard';

/**
 * 评测集: a scenario's evaluation sets (name, latest revision, case count), a new empty set, the sets its
 * template ships (imported in one click), and the chosen set's cases, history, upload and download. With
 * the simulator answering, the page says that scores on these sets mean nothing.
 */
export default function EvalPage({ scenarioId, setId }: { scenarioId: string; setId?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('eval:write');
  const canReview = useCan('review:read');
  const [scenario, setScenario] = useState<Scenario | null>(null);
  const [sets, setSets] = useState<EvalSetSummary[] | null>(null);
  const [targets, setTargets] = useState<EvalTargets | null>(null);
  const [simulator, setSimulator] = useState(false);
  const [name, setName] = useState('');

  const reload = useCallback(() => {
    evalApi.list(scenarioId).then(setSets, (e: unknown) => {
      setSets([]);
      message.error(errorText(e));
    });
  }, [scenarioId, message]);
  useEffect(() => {
    reload();
    api.getScenario(scenarioId).then(setScenario, () => setScenario(null));
    evalApi.targets(scenarioId).then(setTargets, () => setTargets(null));
    api.health().then((h) => setSimulator(h.simulator === true), () => undefined);
  }, [scenarioId, reload]);

  const create = async () => {
    try {
      const made = await evalApi.create(scenarioId, name.trim());
      setName('');
      reload();
      navigate({ page: 'eval', scenarioId, setId: made.id });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const importBuiltin = async (builtin: string) => {
    try {
      const made = await evalApi.importBuiltin(scenarioId, builtin);
      message.success(t('evalSets.imported', { name: made.name, n: made.cases }));
      reload();
      navigate({ page: 'eval', scenarioId, setId: made.id });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const notImported = (targets?.builtin ?? []).filter((b) => !(sets ?? []).some((s) => s.name === b.name));

  return (
    <div style={{ padding: 16 }} data-testid="eval-page">
      <Space style={{ marginBottom: 12 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate({ page: 'editor', id: scenarioId })} data-testid="eval-back">{t('evalSets.back')}</Button>
        <Typography.Title level={4} style={{ margin: 0 }}>{t('evalSets.title', { name: scenario?.name ?? '' })}</Typography.Title>
        {canReview && <Button icon={<AuditOutlined />} onClick={() => navigate({ page: 'review', rulesOf: scenarioId })} data-testid="eval-review-rules">{t('review.rulesLink')}</Button>}
        <Button icon={<AlertOutlined />} onClick={() => navigate({ page: 'alerts', scenarioId })} data-testid="eval-alert-rules">{t('alerts.link')}</Button>
      </Space>
      {simulator && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="eval-simulator-note" title={<Space><SimulatedTag testId="eval-simulated-tag" />{t('evalSets.simulatorNote')}</Space>} />
      )}
      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('evalSets.sets')} data-testid="eval-sets">
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              loading={sets === null}
              dataSource={sets ?? []}
              locale={{ emptyText: <Empty description={t('evalSets.none')} /> }}
              onRow={(row) => ({ onClick: () => navigate({ page: 'eval', scenarioId, setId: row.id }), style: { cursor: 'pointer', fontWeight: row.id === setId ? 600 : undefined } })}
              columns={[
                { title: t('evalSets.name'), dataIndex: 'name', render: (n: string, row: EvalSetSummary) => <span data-testid={`eval-set-${row.name}`}>{n}</span> },
                { title: t('evalSets.revision'), dataIndex: 'revision', width: 60, render: (r: number) => `r${r}` },
                { title: t('evalSets.cases'), dataIndex: 'cases', width: 60 },
                ...(canWrite
                  ? [{
                      title: '',
                      key: 'delete',
                      width: 40,
                      render: (_: unknown, row: EvalSetSummary) => (
                        <span onClick={(e) => e.stopPropagation()}>
                          <Popconfirm title={t('evalSets.deleteConfirm', { name: row.name })} okButtonProps={{ danger: true }} onConfirm={() => void evalApi.remove(row.id).then(() => { reload(); if (row.id === setId) navigate({ page: 'eval', scenarioId }); }, (e: unknown) => message.error(errorText(e)))}>
                            <Button size="small" type="link" danger icon={<DeleteOutlined />} />
                          </Popconfirm>
                        </span>
                      ),
                    }]
                  : []),
              ]}
            />
            {canWrite && (
              <Form layout="inline" style={{ marginTop: 12 }} onFinish={() => void create()}>
                <Form.Item style={{ flex: 1 }}>
                  <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('evalSets.namePlaceholder')} maxLength={100} data-testid="eval-new-name" />
                </Form.Item>
                <Button type="primary" htmlType="submit" icon={<PlusOutlined />} disabled={name.trim() === ''} data-testid="eval-create">{t('evalSets.create')}</Button>
              </Form>
            )}
            {canWrite && notImported.map((b) => (
              <Alert key={b.name} style={{ marginTop: 12 }} type="info" showIcon title={t('evalSets.builtinTitle', { name: b.name, n: b.cases })} description={<><div>{b.description}</div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{b.citation}</Typography.Text></>}
                action={<Button size="small" icon={<ImportOutlined />} onClick={() => void importBuiltin(b.name)} data-testid="eval-import-builtin">{t('evalSets.importBuiltin')}</Button>} />
            ))}
          </Card>
          {sets && <GateCard scenarioId={scenarioId} sets={sets} />}
        </Col>
        <Col xs={24} lg={16}>
          {setId && targets ? <SetView key={setId} scenarioId={scenarioId} setId={setId} targets={targets} onChanged={reload} /> : <Empty description={t('evalSets.pick')} style={{ marginTop: 48 }} />}
          {setId && <EvalRuns key={`runs-${setId}`} scenarioId={scenarioId} setId={setId} />}
          {setId && <MetricSettingsCard key={`metrics-${setId}`} setId={setId} />}
        </Col>
      </Row>
    </div>
  );
}
