import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Row, Space, Tag, Typography } from 'antd';
import { CheckOutlined, SaveOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/store';
import { SimulatedTag } from '../common/SimulatedTag';
import { errorText } from '../publish/http';
import { reviewApi, type ReviewItemDetail } from './api';
import { changedOutputs, initialDraft, keyAction, outputLabel, reasonText } from './draft';
import { OutputEditor, type Focus } from './OutputEditor';

const ROLE_KEYS = new Set(['agent', 'customer', 'system']);

/** The transcript turns with the evidence of the field or item in focus highlighted and scrolled to. */
function Transcript({ turns, highlight }: { turns: Array<{ id: string; role: string; text: string }>; highlight: string[] }) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = highlight[0];
    if (first) box.current?.querySelector(`[data-turn="${CSS.escape(first)}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [highlight]);
  return (
    <div ref={box} className="mf-review-transcript" data-testid="review-transcript">
      {turns.map((turn) => (
        <div key={turn.id} data-turn={turn.id} data-testid={`turn-${turn.id}`} className={`mf-review-turn mf-review-${turn.role}${highlight.includes(turn.id) ? ' mf-review-turn-hl' : ''}`}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{turn.id} · {ROLE_KEYS.has(turn.role) ? t(`review.role.${turn.role}`) : turn.role}</Typography.Text>
          <div>{turn.text}</div>
        </div>
      ))}
    </div>
  );
}

interface Props {
  itemId: string;
  /** After a decision: the page reloads the queue and moves on. */
  onDecided: (item: ReviewItemDetail) => void;
  onMove: (step: 1 | -1) => void;
}

/** One queued result to confirm or correct: the call on the left, the reviewed outputs on the right. */
export function ItemView({ itemId, onDecided, onMove }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('review:write');
  const canPii = useCan('pii:read');
  const [item, setItem] = useState<ReviewItemDetail | null | 'gone'>(null);
  const [draft, setDraft] = useState<Record<string, unknown>>({});
  const [focus, setFocus] = useState<{ at: Focus; evidence: string[] } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setItem(null);
    setFocus(null);
    reviewApi.item(itemId).then(
      (loaded) => {
        setItem(loaded);
        setDraft(initialDraft(loaded));
      },
      (e: unknown) => {
        setItem('gone');
        message.error(errorText(e));
      },
    );
  }, [itemId, message]);

  const loaded = item !== null && item !== 'gone' ? item : null;
  const changes = useMemo(() => (loaded ? changedOutputs(loaded, draft) : {}), [loaded, draft]);
  const changed = Object.keys(changes).length > 0;
  const decided = loaded !== null && loaded.status !== 'pending';
  const readOnly = !canWrite || loaded?.redacted_at !== null;

  const decide = async (correct: boolean) => {
    if (!loaded || busy) return;
    setBusy(true);
    try {
      const reply = correct ? await reviewApi.correct(loaded.id, changes, decided) : await reviewApi.confirm(loaded.id, decided);
      message.success(reply.item.status === 'corrected' ? t('review.savedCorrection', { revision: reply.revision }) : t('review.savedConfirm', { revision: reply.revision }));
      // The item as decided stays on screen until the page moves on (the last one of the queue stays).
      setItem(reply.item);
      setDraft(initialDraft(reply.item));
      onDecided(reply.item);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  // Ctrl/⌘+Enter decides (saves the correction when something changed); j/k move in the queue.
  const latest = useRef({ decide, changed, canAct: canWrite && !readOnly, onMove });
  latest.current = { decide, changed, canAct: canWrite && !readOnly && !(changed && !canPii), onMove };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target instanceof HTMLElement ? e.target : null;
      const typing = !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
      const action = keyAction(e, typing);
      if (!action) return;
      e.preventDefault();
      if (action === 'decide' && latest.current.canAct) void latest.current.decide(latest.current.changed);
      if (action === 'next') latest.current.onMove(1);
      if (action === 'previous') latest.current.onMove(-1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (item === null) return <Card loading />;
  if (item === 'gone' || !loaded) return <Empty description={t('review.gone')} />;
  const transcripts = Object.entries(loaded.transcripts);
  const otherInputs = Object.entries(loaded.inputs ?? {}).filter(([name]) => !(name in loaded.transcripts));
  const onFocus = (at: Focus, evidence: string[]) => setFocus({ at, evidence });

  return (
    <Card
      size="small"
      data-testid="review-item"
      title={
        <Space wrap>
          <span>{loaded.scenario_name || loaded.slug} v{loaded.version}</span>
          <Tag color={loaded.status === 'pending' ? 'gold' : loaded.status === 'corrected' ? 'purple' : 'green'} data-testid="review-item-status">{t(`review.status.${loaded.status}`)}</Tag>
          {loaded.reasons.map((r, i) => <Tag key={i} color="volcano">{reasonText(t, r)}</Tag>)}
          {loaded.simulated && <SimulatedTag testId="review-simulated" />}
        </Space>
      }
      extra={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{loaded.source.kind === 'job_item' ? t('review.fromJob', { item: loaded.source.item_id }) : t('review.fromRun')}</Typography.Text>}
    >
      {loaded.redacted_at && <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t('review.redacted', { at: new Date(loaded.redacted_at).toLocaleString() })} />}
      {loaded.decision && (
        <Alert type="success" showIcon style={{ marginBottom: 8 }} data-testid="review-decision" title={t('review.decidedBy', { by: loaded.decision.by, at: new Date(loaded.decision.at).toLocaleString(), revision: loaded.decision.revision })} description={loaded.decision.changed.length > 0 ? t('review.changedOutputs', { outputs: loaded.decision.changed.join(', ') }) : t('review.noChange')} />
      )}
      <Row gutter={12}>
        <Col xs={24} xl={10}>
          {transcripts.map(([name, turns]) => (
            <div key={name}>
              <Typography.Text strong>{name}</Typography.Text>
              <Transcript turns={turns} highlight={focus?.evidence ?? []} />
            </div>
          ))}
          {otherInputs.length > 0 && (
            <Descriptions size="small" column={1} style={{ marginTop: 8 }} items={otherInputs.map(([name, v]) => ({ key: name, label: name, children: typeof v === 'string' ? v : JSON.stringify(v) }))} />
          )}
        </Col>
        <Col xs={24} xl={14}>
          {loaded.views.filter((v) => v.reviewed).map((view) => (
            <div key={view.name} style={{ marginBottom: 12 }} data-testid={`review-output-${view.name}`}>
              <Typography.Text strong title={view.name}>{outputLabel(view)}</Typography.Text> {view.description !== outputLabel(view) && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{view.description}</Typography.Text>}
              <div style={{ marginTop: 4 }}>
                <OutputEditor view={view} value={draft[view.name]} readOnly={readOnly} focused={focus?.at.output === view.name ? focus.at.key : undefined} onFocus={onFocus} onChange={(v) => setDraft((d) => ({ ...d, [view.name]: v }))} />
              </div>
            </div>
          ))}
          {loaded.views.some((v) => !v.reviewed) && (
            <Descriptions size="small" column={1} title={<Typography.Text type="secondary">{t('review.otherOutputs')}</Typography.Text>} items={loaded.views.filter((v) => !v.reviewed).map((v) => ({ key: v.name, label: outputLabel(v), children: typeof v.value === 'string' ? v.value : JSON.stringify(v.value) }))} />
          )}
          {canWrite && (
            <Space style={{ marginTop: 8 }} wrap>
              <Button type="primary" icon={<CheckOutlined />} disabled={readOnly || changed} loading={busy} onClick={() => void decide(false)} data-testid="review-confirm">{decided ? t('review.reconfirm') : t('review.confirm')}</Button>
              <Button icon={<SaveOutlined />} disabled={readOnly || !changed || !canPii} loading={busy} onClick={() => void decide(true)} data-testid="review-save">{t('review.saveCorrection')}</Button>
              <Button disabled={!changed} onClick={() => setDraft(initialDraft(loaded))} data-testid="review-reset">{t('review.reset')}</Button>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('review.keys')}</Typography.Text>
            </Space>
          )}
          {canWrite && !canPii && <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 4 }}>{t('review.maskedNoCorrect')}</Typography.Paragraph>}
        </Col>
      </Row>
    </Card>
  );
}
