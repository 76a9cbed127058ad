import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, Empty, Result, Row, Space, Spin, Tag, Typography } from 'antd';
import { CheckOutlined, EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { SessionAlert } from '@shared/alerts';
import type { LiveSessionDetail } from '@shared/live';
import { SessionAlertEventSchema, SessionTurnsEventSchema, SessionUpdatedEventSchema, type SessionTurn } from '@shared/sessions';
import { useCan } from '../auth/store';
import { SimulatedTag } from '../common/SimulatedTag';
import { errorText } from '../publish/http';
import { OutputEditor } from '../review/OutputEditor';
import { outputLabel } from '../review/draft';
import { deskAuth, liveApi } from './api';
import { AlertList, FormView, OutputView, Transcript } from './DeskParts';
import { changedKeys, mergeTurns } from './model';
import { followStream } from './stream';

/** How long a newly filled field stays highlighted, ms. */
const FRESH_MS = 2500;

interface Props {
  id: string;
  /** The session's desk token (from the desk link): requests carry it instead of the sign-in. */
  token?: string;
}

function mergeAlerts(list: SessionAlert[], incoming: SessionAlert[]): SessionAlert[] {
  const byId = new Map(list.map((a) => [a.id, a]));
  for (const a of incoming) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

/**
 * The agent desk (坐席助手) of one live call: the transcript growing, the form filling in with each
 * field's evidence, other results and alerts as they come, and 确认 / 编辑. Opened by a signed-in user
 * (`live:read`, confirming with `live:write`) or with the session's desk token.
 */
export default function DeskPage({ id, token }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('live:write');
  const mayConfirm = token !== undefined || canWrite;
  const [detail, setDetail] = useState<LiveSessionDetail | null | 'gone'>(null);
  const [turns, setTurns] = useState<SessionTurn[]>([]);
  const [alerts, setAlerts] = useState<SessionAlert[]>([]);
  const [highlight, setHighlight] = useState<string[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [connection, setConnection] = useState<'connecting' | 'open' | 'retrying' | 'refused'>('connecting');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState(false);

  const apply = useCallback((loaded: LiveSessionDetail) => {
    setDetail(loaded);
    setTurns((held) => mergeTurns(held, loaded.turns));
    setAlerts((held) => mergeAlerts(held, loaded.all_alerts));
  }, []);

  const reload = useCallback(() => {
    liveApi.detail(id, token).then(apply, (e: unknown) => {
      setDetail((d) => (d === null ? 'gone' : d));
      message.error(errorText(e));
    });
  }, [id, token, apply, message]);

  // Updates come in bursts: one reload for each burst.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reloadSoon = useCallback(() => {
    clearTimeout(pending.current);
    pending.current = setTimeout(reload, 120);
  }, [reload]);

  useEffect(() => {
    reload();
    const auth = deskAuth(token);
    const stop = followStream(liveApi.sessionEventsUrl(id), {
      ...auth,
      isLast: (e) => e.event === 'session.ended',
      onState: (state) => setConnection(state),
      onEvent: ({ event, data }) => {
        if (event === 'session.turns') {
          const parsed = SessionTurnsEventSchema.safeParse(data);
          if (parsed.success) setTurns((held) => mergeTurns(held, parsed.data.turns));
        } else if (event === 'session.updated') {
          const parsed = SessionUpdatedEventSchema.safeParse(data);
          if (parsed.success && parsed.data.changes.length > 0) {
            setFresh(changedKeys(parsed.data.changes));
            setTimeout(() => setFresh(new Set()), FRESH_MS);
          }
          reloadSoon();
        } else if (event === 'session.alert') {
          const parsed = SessionAlertEventSchema.safeParse(data);
          if (parsed.success) setAlerts((held) => mergeAlerts(held, [parsed.data.alert]));
          reloadSoon();
        } else if (event === 'session.ended') reloadSoon();
      },
    });
    return () => {
      stop();
      clearTimeout(pending.current);
    };
  }, [id, token, reload, reloadSoon]);

  const loaded = detail !== null && detail !== 'gone' ? detail : null;
  const startEditing = () => {
    if (!loaded) return;
    setDraft(Object.fromEntries(loaded.views.filter((v) => v.reviewed).map((v) => [v.name, v.value])));
    setEditing(true);
  };
  const edits = useMemo(() => {
    if (!loaded || !editing) return {};
    return Object.fromEntries(Object.entries(draft).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(loaded.outputs?.[name] ?? null)));
  }, [loaded, editing, draft]);

  const confirm = async () => {
    if (!loaded || busy || !mayConfirm || loaded.outputs === null) return;
    setBusy(true);
    try {
      const reply = await liveApi.confirm(id, { outputs: edits }, token);
      apply(reply);
      setEditing(false);
      message.success(reply.confirmation?.case ? `${t('desk.confirmedToast')} · ${t('desk.savedCase', { case: reply.confirmation.case.case_id })}` : t('desk.confirmedToast'));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  // Ctrl/⌘+Enter confirms, in the editor's fields too.
  const latest = useRef(confirm);
  latest.current = confirm;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      void latest.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (detail === null) return <Spin style={{ margin: 48 }} />;
  if (!loaded) return <Result status="404" title={t('desk.notFound')} data-testid="desk-gone" />;
  const forms = loaded.views.filter((v) => v.kind === 'form');
  // An `evidence` output that the forms already show field by field is not repeated as JSON.
  const others = loaded.views.filter((v) => v.kind !== 'form' && !(v.name === 'evidence' && forms.some((f) => f.evidence !== undefined)));
  const ended = loaded.status === 'ended';
  const confirmation = loaded.confirmation;

  return (
    <div className="mf-desk" data-testid="agent-desk">
      <Card
        size="small"
        style={{ marginBottom: 12 }}
        title={
          <Space wrap>
            <span>{t('desk.title')}</span>
            <Typography.Text type="secondary">{loaded.scenario_name || loaded.slug} v{loaded.version}</Typography.Text>
            {loaded.call_id && <Tag>{loaded.call_id}</Tag>}
            <Tag color={ended ? 'default' : 'processing'} data-testid="desk-status">{ended ? t('live.status.ended') : t('desk.live')}</Tag>
            <Typography.Text type="secondary" data-testid="desk-turn-count">{t('desk.turnCount', { count: turns.length })}</Typography.Text>
            {loaded.simulated && <SimulatedTag testId="desk-simulated" />}
          </Space>
        }
        extra={!ended && connection !== 'open' && connection !== 'connecting' ? <Tag color="orange">{t('desk.reconnecting')}</Tag> : null}
      />
      {ended && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('desk.ended')} data-testid="desk-ended" />}
      <Row gutter={12}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('desk.transcript')}>
            <Transcript turns={turns} highlight={highlight} />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <AlertList alerts={alerts} onPoint={setHighlight} />
          {loaded.outputs === null && <Empty description={t('desk.noOutputs')} style={{ margin: 24 }} />}
          {loaded.outputs !== null && !editing && (
            <>
              {forms.map((view) => (
                <Card key={view.name} size="small" title={<span title={view.name}>{t('desk.form')} · {outputLabel(view)} {view.description && view.description !== outputLabel(view) && <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>{view.description}</Typography.Text>}</span>} style={{ marginBottom: 12 }}>
                  <FormView view={view} fresh={fresh} onPoint={setHighlight} />
                </Card>
              ))}
              {others.length > 0 && (
                <Card size="small" title={forms.length > 0 ? t('desk.outputs') : t('desk.results')} style={{ marginBottom: 12 }}>
                  {others.map((view) => <OutputView key={view.name} view={view} fresh={fresh} onPoint={setHighlight} />)}
                </Card>
              )}
            </>
          )}
          {loaded.outputs !== null && editing && (
            <Card size="small" title={t('desk.edit')} style={{ marginBottom: 12 }} data-testid="desk-editor">
              {loaded.views.filter((v) => v.reviewed).map((view) => (
                <div key={view.name} style={{ marginBottom: 12 }}>
                  <Typography.Text strong title={view.name}>{outputLabel(view)}</Typography.Text>
                  <OutputEditor view={view} value={draft[view.name]} readOnly={false} onFocus={(_, evidence) => setHighlight(evidence)} onChange={(v) => setDraft((d) => ({ ...d, [view.name]: v }))} />
                </div>
              ))}
            </Card>
          )}
          {confirmation && (
            <Alert
              type="success"
              showIcon
              style={{ marginBottom: 8 }}
              data-testid="desk-confirmation"
              title={t(confirmation.corrected ? 'desk.correctedBy' : 'desk.confirmedBy', { by: confirmation.by, time: new Date(confirmation.at).toLocaleTimeString() })}
              description={confirmation.case ? t('desk.savedCase', { case: confirmation.case.case_id }) : undefined}
            />
          )}
          <Space wrap>
            <Button type="primary" icon={<CheckOutlined />} disabled={!mayConfirm || loaded.outputs === null} loading={busy} onClick={() => void confirm()} data-testid="desk-confirm">{t('desk.confirm')}</Button>
            {editing ? (
              <Button onClick={() => setEditing(false)} data-testid="desk-cancel">{t('desk.cancel')}</Button>
            ) : (
              <Button icon={<EditOutlined />} disabled={!mayConfirm || loaded.outputs === null} onClick={startEditing} data-testid="desk-edit">{t('desk.edit')}</Button>
            )}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>{mayConfirm ? t('desk.confirmHint') : t('desk.noWrite')}</Typography.Text>
          </Space>
        </Col>
      </Row>
    </div>
  );
}
