import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Empty, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { AlertRule } from '@shared/alerts';
import { api } from '../api';
import { useCan } from '../auth/store';
import { CodeBlock } from '../publish/CodeBlock';
import { errorText } from '../publish/http';
import { navigate } from '../router';
import { alertsApi, type AlertDelivery, type AlertSettings } from './api';
import { newRule, outputOption, RuleRow } from './RuleRow';

const STATUS_COLORS: Record<AlertDelivery['status'], string> = { pending: 'orange', delivered: 'green', failed: 'red' };
const SEVERITY_COLORS: Record<string, string> = { info: 'blue', warning: 'orange', critical: 'red' };

/** The recent webhook deliveries of a scenario's alerts, newest first. */
function Deliveries({ scenarioId, reload }: { scenarioId: string; reload: number }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<AlertDelivery[] | null>(null);
  const load = useCallback(() => alertsApi.deliveries(scenarioId).then((r) => setRows(r.deliveries), () => setRows([])), [scenarioId]);
  useEffect(() => void load(), [load, reload]);
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '');
  return (
    <Card size="small" title={t('alerts.deliveries')} style={{ marginTop: 12 }} extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('alerts.refresh')}</Button>} data-testid="alert-deliveries">
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        loading={rows === null}
        dataSource={rows ?? []}
        locale={{ emptyText: <Empty description={t('alerts.noDeliveries')} /> }}
        columns={[
          { title: t('alerts.when'), dataIndex: 'created_at', render: (v: string) => when(v) },
          { title: t('alerts.alert'), dataIndex: 'alert_name', render: (name: string | null, d: AlertDelivery) => <Space>{d.severity && <Tag color={SEVERITY_COLORS[d.severity]}>{t(`alerts.severity.${d.severity}`)}</Tag>}{name ?? d.alert_id}</Space> },
          { title: t('alerts.status'), dataIndex: 'status', render: (s: AlertDelivery['status']) => <Tag color={STATUS_COLORS[s]} data-testid="alert-delivery-status">{t(`alerts.deliveryStatus.${s}`)}</Tag> },
          { title: t('alerts.attempts'), dataIndex: 'attempts' },
          { title: t('alerts.lastReply'), render: (_: unknown, d: AlertDelivery) => <Space direction="vertical" size={0}>{d.last_error ?? (d.last_status === null ? '' : `HTTP ${d.last_status}`)}{d.next_attempt_at && <Typography.Text type="secondary">{t('alerts.nextAttempt', { at: when(d.next_attempt_at) })}</Typography.Text>}</Space> },
        ]}
      />
    </Card>
  );
}

/**
 * A scenario's 实时预警 (live alert) settings: rules on its outputs and on what the caller says, the
 * output the live board shows as the call's risk, and the webhook alerts are POSTed to (its signing
 * secret shown once, when made). Checked by the server against the live version's outputs; its
 * refusals are shown in the UI's language.
 */
export default function AlertRulesPage({ scenarioId }: { scenarioId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('scenarios:write');
  const [name, setName] = useState('');
  const [settings, setSettings] = useState<AlertSettings | null>(null);
  const [rules, setRules] = useState<AlertRule[]>([]);
  const [risk, setRisk] = useState<string | null>(null);
  const [webhook, setWebhook] = useState('');
  const [rotate, setRotate] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(0);

  const apply = (s: AlertSettings) => {
    setSettings(s);
    setRules(s.rules);
    setRisk(s.risk_output);
    setWebhook(s.webhook_url ?? '');
    setRotate(false);
  };
  useEffect(() => {
    api.getScenario(scenarioId).then((s) => setName(s.name), () => setName(''));
    alertsApi.get(scenarioId).then(apply, (e: unknown) => setError(errorText(e)));
  }, [scenarioId]);

  const save = async () => {
    try {
      const reply = await alertsApi.save(scenarioId, { rules, risk_output: risk, webhook_url: webhook.trim() === '' ? null : webhook.trim(), rotate_secret: rotate });
      apply(reply);
      setSecret(reply.webhook_secret ?? null);
      setError(null);
      setSaved((n) => n + 1);
      message.success(t('alerts.saved'));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const available = settings?.available ?? [];

  return (
    <div style={{ padding: 16, maxWidth: 1100 }} data-testid="alert-rules">
      <Space style={{ marginBottom: 12 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate({ page: 'eval', scenarioId })} data-testid="alert-rules-back">{t('alerts.back')}</Button>
        <Typography.Title level={4} style={{ margin: 0 }}>{t('alerts.title', { name })}</Typography.Title>
      </Space>
      <Typography.Paragraph type="secondary">{t('alerts.intro')}</Typography.Paragraph>
      {settings && <Typography.Paragraph type="secondary">{settings.checked_against.kind === 'live' ? t('alerts.checkedLive', { version: settings.checked_against.version }) : t('alerts.checkedDraft')}</Typography.Paragraph>}
      {error && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={error} data-testid="alert-rules-error" />}
      {secret && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('alerts.secretTitle')} description={<><Typography.Paragraph>{t('alerts.secretHint')}</Typography.Paragraph><CodeBlock code={secret} testId="alert-secret" /></>} closable onClose={() => setSecret(null)} data-testid="alert-secret-shown" />
      )}
      <Card size="small" title={t('alerts.rules')}>
        {rules.length === 0 && <Empty description={t('alerts.noRules')} />}
        {rules.map((rule, i) => (
          <RuleRow key={rule.id ?? `new-${i}`} rule={rule} index={i} available={available} disabled={!canWrite} onChange={(r) => setRules((all) => all.map((x, j) => (j === i ? r : x)))} onRemove={() => setRules((all) => all.filter((_, j) => j !== i))} />
        ))}
        {canWrite && <Button icon={<PlusOutlined />} onClick={() => setRules((all) => [...all, newRule()])} data-testid="alert-rule-add">{t('alerts.addRule')}</Button>}
      </Card>
      <Card size="small" title={t('alerts.risk')} style={{ marginTop: 12 }}>
        <Space direction="vertical">
          <Typography.Text type="secondary">{t('alerts.riskHint')}</Typography.Text>
          <Select style={{ width: 320 }} allowClear value={risk ?? undefined} placeholder={t('alerts.riskNone')} disabled={!canWrite} onChange={(v?: string) => setRisk(v ?? null)} options={available.map(outputOption)} aria-label={t('alerts.risk')} data-testid="alert-risk-output" />
        </Space>
      </Card>
      <Card size="small" title={t('alerts.webhook')} style={{ marginTop: 12 }}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text type="secondary">{t('alerts.webhookHint')}</Typography.Text>
          <Input value={webhook} placeholder={t('alerts.webhookPlaceholder')} aria-label={t('alerts.webhookUrl')} disabled={!canWrite} onChange={(e) => setWebhook(e.target.value)} data-testid="alert-webhook-url" />
          <Typography.Text type={settings?.webhook_secret_set ? 'success' : 'secondary'} data-testid="alert-secret-state">{settings?.webhook_secret_set ? t('alerts.secretSet') : t('alerts.secretNone')}</Typography.Text>
          {canWrite && settings?.webhook_secret_set && <Checkbox checked={rotate} onChange={(e) => setRotate(e.target.checked)} data-testid="alert-rotate">{t('alerts.rotate')}</Checkbox>}
        </Space>
      </Card>
      {canWrite && <Button type="primary" style={{ marginTop: 12 }} onClick={() => void save()} data-testid="alert-rules-save">{t('alerts.save')}</Button>}
      <Deliveries scenarioId={scenarioId} reload={saved} />
    </div>
  );
}
