import { useEffect, useState } from 'react';
import { App, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { METRIC_KINDS, NORMALIZERS, type MetricKind, type MetricOverrides, type MetricSettings, type Normalizer, type OutputPlanView } from '@shared/evaluation-metrics';
import { useCan } from '../auth/store';
import { errorText, send } from '../publish/http';

const url = (setId: string) => `/api/eval-sets/${encodeURIComponent(setId)}/metrics`;

/**
 * 评分方式: how the set's runs score each end output. The type-based choice is shown with why it was
 * made; a writer may choose another kind or normaliser per output (stored with the set, used by its runs,
 * the publish gate and `mofang eval --set`).
 */
export function MetricSettingsCard({ setId }: { setId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('eval:write');
  const [settings, setSettings] = useState<MetricSettings | null>(null);
  const [draft, setDraft] = useState<MetricOverrides>({});

  useEffect(() => {
    send<MetricSettings>('GET', url(setId)).then(
      (s) => {
        setSettings(s);
        setDraft(s.overrides);
      },
      () => setSettings(null),
    );
  }, [setId]);

  const save = async (overrides: MetricOverrides) => {
    try {
      const s = await send<MetricSettings>('PUT', url(setId), { overrides });
      setSettings(s);
      setDraft(s.overrides);
      message.success(t('evalMetrics.saved'));
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const change = (output: string, patch: { kind?: MetricKind; normalizer?: Normalizer }) => {
    const next = { ...draft[output], ...patch };
    for (const k of Object.keys(patch) as Array<keyof typeof patch>) if (patch[k] === undefined) delete next[k];
    const rest = { ...draft };
    delete rest[output];
    setDraft(Object.keys(next).length ? { ...rest, [output]: next } : rest);
  };

  if (!settings) return null;
  const defaults = new Map(settings.default_plan.map((p) => [p.output, p]));
  const kindOptions = [{ value: '', label: t('evalMetrics.byType') }, ...METRIC_KINDS.map((k) => ({ value: k, label: t(`evalMetrics.kind.${k}`) }))];
  const normalizerOptions = [{ value: '', label: t('evalMetrics.byType') }, ...NORMALIZERS.map((n) => ({ value: n, label: t(`evalMetrics.normalizer.${n}`) }))];
  const changed = JSON.stringify(draft) !== JSON.stringify(settings.overrides);
  return (
    <Card size="small" title={t('evalMetrics.title')} style={{ marginTop: 16 }} data-testid="eval-metrics">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{t('evalMetrics.intro')}</Typography.Paragraph>
      <Table<OutputPlanView>
        size="small"
        rowKey="output"
        pagination={false}
        dataSource={settings.plan}
        columns={[
          { title: t('evalMetrics.output'), dataIndex: 'output', render: (o: string) => <code>{o}</code> },
          {
            title: t('evalMetrics.kindTitle'),
            render: (_, p) =>
              canWrite ? (
                <Select size="small" style={{ width: 170 }} value={draft[p.output]?.kind ?? ''} options={kindOptions} onChange={(v: string) => change(p.output, { kind: v === '' ? undefined : (v as MetricKind) })} data-testid={`eval-metric-kind-${p.output}`} />
              ) : (
                <Tag>{t(`evalMetrics.kind.${p.kind}`)}</Tag>
              ),
          },
          {
            title: t('evalMetrics.normalizerTitle'),
            render: (_, p) =>
              canWrite ? (
                <Select size="small" style={{ width: 150 }} value={draft[p.output]?.normalizer ?? ''} options={normalizerOptions} onChange={(v: string) => change(p.output, { normalizer: v === '' ? undefined : (v as Normalizer) })} />
              ) : (
                t(`evalMetrics.normalizer.${p.normalizer}`)
              ),
          },
          {
            title: t('evalMetrics.typeChoice'),
            render: (_, p) => {
              const def = defaults.get(p.output);
              return def ? <Typography.Text type="secondary">{t(`evalMetrics.kind.${def.kind}`)} · {t(`evalMetrics.reason.${def.reason}`)}</Typography.Text> : null;
            },
          },
        ]}
      />
      {canWrite && (
        <Space style={{ marginTop: 8 }}>
          <Button type="primary" size="small" disabled={!changed} onClick={() => void save(draft)} data-testid="eval-metrics-save">{t('evalMetrics.save')}</Button>
          <Button size="small" disabled={Object.keys(settings.overrides).length === 0} onClick={() => void save({})}>{t('evalMetrics.reset')}</Button>
        </Space>
      )}
    </Card>
  );
}
