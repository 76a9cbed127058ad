import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App, Card, Empty, Select, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { AlertOutlined, CustomerServiceOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { SessionAlert } from '@shared/alerts';
import type { LiveSessionSummary } from '@shared/live';
import { SimulatedTag } from '../common/SimulatedTag';
import { errorText } from '../publish/http';
import { liveApi } from './api';
import { boardNews, lastActivity, severityColor, showValue, upsertSession } from './model';
import { followStream } from './stream';

/** How long an ended call stays on the 进行中 tab, fading, before it moves to 已结束, ms. */
const FADE_MS = 4000;
/** How long a row that just raised an alert is marked, ms. */
const FLASH_MS = 3000;

const HIGH = new Set(['high', 'critical', '高', '高风险', '严重']);
const MEDIUM = new Set(['medium', 'mid', '中', '中风险']);
const LOW = new Set(['low', 'none', '低', '低风险', '无']);

/** The tag colour of a risk value: red for high, orange for medium, green for low. */
function riskColor(risk: unknown): string | undefined {
  const text = typeof risk === 'string' ? risk.trim().toLowerCase() : '';
  if (HIGH.has(text) || (typeof risk === 'number' && risk >= 0.7)) return 'red';
  if (MEDIUM.has(text) || (typeof risk === 'number' && risk >= 0.4)) return 'orange';
  if (LOW.has(text) || typeof risk === 'number') return 'green';
  return undefined;
}

function AlertTags({ alerts, count }: { alerts: SessionAlert[]; count: number }) {
  const { t } = useTranslation();
  return (
    <Space size={[4, 4]} wrap>
      {alerts.map((a) => (
        <Tooltip key={a.id} title={`${t(`live.severity.${a.severity}`)} · ${new Date(a.at).toLocaleTimeString()}`}>
          <Tag color={severityColor(a.severity)} icon={<AlertOutlined />} data-testid={`board-alert-${a.rule_id}`}>{a.name}</Tag>
        </Tooltip>
      ))}
      {count > alerts.length && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('live.moreAlerts', { count: count - alerts.length })}</Typography.Text>}
    </Space>
  );
}

/** The supervisors' live board (实时看板): calls in progress with their risk and alerts, live. */
export default function LiveBoard() {
  const { t } = useTranslation();
  const { message, notification } = App.useApp();
  const [tab, setTab] = useState<'active' | 'ended'>('active');
  const [scenario, setScenario] = useState<string | undefined>();
  const [active, setActive] = useState<LiveSessionSummary[] | null>(null);
  const [ended, setEnded] = useState<LiveSessionSummary[]>([]);
  const [connection, setConnection] = useState<'connecting' | 'open' | 'retrying'>('connecting');
  // Ended calls still fading on the active tab, and rows just alerted, by session id → since (ms).
  const [fading, setFading] = useState<Map<string, number>>(new Map());
  const [flash, setFlash] = useState<Map<string, number>>(new Map());
  const [, setTick] = useState(0);
  const notify = useRef({ notification, t });
  notify.current = { notification, t };

  const load = useCallback(() => {
    liveApi.list('active').then(
      (reply) => setActive(reply.sessions),
      (e: unknown) => message.error(errorText(e)),
    );
    liveApi.list('ended').then(
      (reply) => setEnded(reply.sessions),
      () => undefined,
    );
  }, [message]);

  useEffect(() => {
    const stop = followStream(liveApi.boardEventsUrl, {
      onState: (state) => {
        if (state === 'refused') return;
        setConnection(state);
        // Every (re)connection starts from the list as it stands: what happened while away is in it.
        if (state === 'open') load();
      },
      onEvent: ({ event, data }) => {
        const news = boardNews(event, data);
        if (!news) return;
        const { summary, alert } = news;
        const id = summary.session_id;
        if (event === 'session.ended' || summary.status === 'ended') {
          setFading((m) => new Map(m).set(id, Date.now()));
          setEnded((list) => upsertSession(list, summary));
        }
        setActive((list) => upsertSession(list ?? [], summary));
        if (alert) {
          setFlash((m) => new Map(m).set(id, Date.now()));
          const { notification: n, t: tr } = notify.current;
          n.open({ type: alert.severity === 'critical' ? 'error' : alert.severity === 'warning' ? 'warning' : 'info', message: tr('live.newAlert', { call: summary.call_id ?? summary.session_id.slice(0, 8), name: alert.name }), description: summary.scenario_name, duration: 4, placement: 'bottomRight' });
        }
      },
    });
    return stop;
  }, [load]);

  // Fading rows and alert marks expire on a clock.
  useEffect(() => {
    const timer = setInterval(() => {
      const now = Date.now();
      setFading((m) => (Array.from(m.values()).some((at) => now - at > FADE_MS) ? new Map(Array.from(m).filter(([, at]) => now - at <= FADE_MS)) : m));
      setFlash((m) => (Array.from(m.values()).some((at) => now - at > FLASH_MS) ? new Map(Array.from(m).filter(([, at]) => now - at <= FLASH_MS)) : m));
      setTick((n) => n + 1);
    }, 1000);
    return () => clearInterval(timer);
  }, []);

  const scenarios = useMemo(() => {
    const names = new Map<string, string>();
    for (const s of [...(active ?? []), ...ended]) names.set(s.scenario_id, s.scenario_name || s.slug);
    return [...names].map(([value, label]) => ({ value, label }));
  }, [active, ended]);

  const shownActive = (active ?? []).filter((s) => (s.status !== 'ended' || fading.has(s.session_id)) && (!scenario || s.scenario_id === scenario));
  const shownEnded = ended.filter((s) => !scenario || s.scenario_id === scenario).sort((a, b) => lastActivity(b) - lastActivity(a));
  const alerting = shownActive.filter((s) => s.status !== 'ended' && s.alert_count > 0).length;
  const live = shownActive.filter((s) => s.status !== 'ended').length;

  const columns = [
    { title: t('live.scenario'), key: 'scenario', render: (_: unknown, s: LiveSessionSummary) => <span>{s.scenario_name || s.slug} <Typography.Text type="secondary">v{s.version}</Typography.Text></span> },
    {
      title: t('live.call'),
      key: 'call',
      render: (_: unknown, s: LiveSessionSummary) => (
        <Space size={4} wrap>
          <span data-testid="board-call-id">{s.call_id ?? t('live.noCallId')}</span>
          <Tag color={s.status === 'ended' ? 'default' : 'processing'}>{t(`live.status.${s.status}`)}</Tag>
          {s.end_reason && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t(`live.endReason.${s.end_reason}`)}</Typography.Text>}
          {s.simulated && <SimulatedTag testId="board-simulated" />}
        </Space>
      ),
    },
    { title: t('live.turns'), dataIndex: 'turn_count', width: 70, render: (n: number) => <span data-testid="board-turns">{n}</span> },
    { title: t('live.risk'), key: 'risk', width: 110, render: (_: unknown, s: LiveSessionSummary) => (s.risk === null || s.risk === undefined ? <Typography.Text type="secondary">—</Typography.Text> : <Tag color={riskColor(s.risk)} data-testid="board-risk">{showValue(s.risk)}</Tag>) },
    { title: t('live.alerts'), key: 'alerts', render: (_: unknown, s: LiveSessionSummary) => <AlertTags alerts={s.alerts} count={s.alert_count} /> },
    { title: t('live.lastActivity'), key: 'last', width: 110, render: (_: unknown, s: LiveSessionSummary) => new Date(lastActivity(s)).toLocaleTimeString() },
    { title: '', key: 'open', width: 110, render: (_: unknown, s: LiveSessionSummary) => <a href={`#/desk/${encodeURIComponent(s.session_id)}`} data-testid="board-open-desk"><CustomerServiceOutlined /> {t('live.openDesk')}</a> },
  ];
  const rowClass = (s: LiveSessionSummary) => [s.status === 'ended' ? 'mf-live-fading' : '', flash.has(s.session_id) ? 'mf-live-flash' : '', s.top_severity ? `mf-live-sev-${s.top_severity}` : ''].filter(Boolean).join(' ');

  return (
    <Card
      title={<Space><span>{t('live.title')}</span><Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal' }}>{t('live.subtitle')}</Typography.Text></Space>}
      extra={
        <Space>
          <Typography.Text data-testid="board-counts">{t('live.counts', { active: live, alerting })}</Typography.Text>
          <Tag color={connection === 'open' ? 'green' : 'orange'} data-testid="board-connection">{connection === 'open' ? t('live.connected') : t('live.reconnecting')}</Tag>
        </Space>
      }
      data-testid="live-board"
    >
      <Space style={{ marginBottom: 12 }}>
        <Select allowClear placeholder={t('live.allScenarios')} style={{ minWidth: 220 }} options={scenarios} value={scenario} onChange={(v: string | undefined) => setScenario(v)} data-testid="board-scenario" />
      </Space>
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k === 'ended' ? 'ended' : 'active')}
        items={[
          {
            key: 'active',
            label: t('live.activeTab', { count: live }),
            children: <Table size="small" rowKey="session_id" loading={active === null} pagination={false} dataSource={shownActive} columns={columns} onRow={(s) => ({ className: rowClass(s), 'data-testid': `board-row-${s.session_id}` })} locale={{ emptyText: <Empty description={t('live.noSessions')} /> }} />,
          },
          {
            key: 'ended',
            label: t('live.endedTab'),
            children: <Table size="small" rowKey="session_id" pagination={{ pageSize: 20 }} dataSource={shownEnded} columns={columns} onRow={(s) => ({ className: 'mf-live-ended', 'data-testid': `board-ended-${s.session_id}` })} locale={{ emptyText: <Empty description={t('live.noEnded')} /> }} />,
          },
        ]}
      />
    </Card>
  );
}
