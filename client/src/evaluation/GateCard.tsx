import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Form, InputNumber, Popconfirm, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/store';
import { errorText } from '../publish/http';
import { gateApi, gateSummary, type PublishGateState } from '../publish/gate-api';
import type { EvalSetSummary } from './api';

/**
 * 发布门槛 on the evaluation page: the scenario's publish gate in words for everyone; for admins a form to
 * choose the set, the metric (from those the draft gives), the minimum and the largest drop from the live
 * version, and to remove the gate.
 */
export function GateCard({ scenarioId, sets }: { scenarioId: string; sets: EvalSetSummary[] }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const canEdit = useCan('gates:write');
  const [state, setState] = useState<PublishGateState | null>(null);
  const [setId, setSetId] = useState<string | undefined>();
  const [metric, setMetric] = useState<string | undefined>();
  const [min, setMin] = useState<number | null>(null);
  const [maxDrop, setMaxDrop] = useState<number | null>(null);

  const load = useCallback(() => {
    gateApi.state(scenarioId).then(
      (s) => {
        setState(s);
        setSetId(s.gate?.set_id);
        setMetric(s.gate?.metric);
        setMin(s.gate?.min ?? null);
        setMaxDrop(s.gate?.max_drop ?? null);
      },
      (e: unknown) => message.error(errorText(e)),
    );
  }, [scenarioId, message]);
  useEffect(load, [load]);

  const save = async () => {
    if (!setId || !metric) return;
    try {
      setState(await gateApi.set(scenarioId, { set_id: setId, metric, min, max_drop: maxDrop }));
      message.success(t('gate.saved'));
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const remove = async () => {
    try {
      await gateApi.remove(scenarioId);
      message.success(t('gate.removed'));
      load();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  if (!state) return null;
  const gate = state.gate;
  return (
    <Card size="small" title={t('gate.title')} style={{ marginTop: 16 }} data-testid="gate-card">
      <Typography.Paragraph data-testid="gate-current" style={{ marginBottom: 8 }}>
        {gate ? gateSummary(t, gate, state.set_name) : canEdit ? t('gate.noneAdmin') : t('gate.none')}
      </Typography.Paragraph>
      {gate && state.updated_at && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('gate.updated', { by: state.updated_by ?? '', at: new Date(state.updated_at).toLocaleString(i18n.language) })}</Typography.Paragraph>
      )}
      {canEdit ? (
        <Form layout="vertical" size="small" onFinish={() => void save()}>
          <Form.Item label={t('gate.set')}>
            <Select value={setId} onChange={setSetId} options={sets.map((s) => ({ value: s.id, label: t('gate.setOption', { name: s.name, revision: s.revision, cases: s.cases }) }))} data-testid="gate-set" />
          </Form.Item>
          <Form.Item label={t('gate.metric')} extra={t('gate.metricHint')}>
            <Select showSearch value={metric} onChange={setMetric} options={state.metrics.map((m) => ({ value: m, label: m }))} data-testid="gate-metric" />
          </Form.Item>
          <Space wrap>
            <Form.Item label={t('gate.minLabel')}>
              <InputNumber value={min} onChange={(v) => setMin(v)} step={0.01} data-testid="gate-min" />
            </Form.Item>
            <Form.Item label={t('gate.maxDropLabel')} extra={t('gate.maxDropHint')}>
              <InputNumber value={maxDrop} onChange={(v) => setMaxDrop(v)} min={0} step={0.01} data-testid="gate-max-drop" />
            </Form.Item>
          </Space>
          <Space>
            <Button type="primary" htmlType="submit" disabled={!setId || !metric || (min === null && maxDrop === null)} data-testid="gate-save">{t('gate.save')}</Button>
            {gate && (
              <Popconfirm title={t('gate.removeConfirm')} onConfirm={() => void remove()}>
                <Button danger data-testid="gate-remove">{t('gate.remove')}</Button>
              </Popconfirm>
            )}
          </Space>
        </Form>
      ) : (
        <Typography.Text type="secondary">{t('gate.adminOnly')}</Typography.Text>
      )}
    </Card>
  );
}
