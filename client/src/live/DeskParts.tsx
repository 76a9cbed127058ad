import { useEffect, useRef } from 'react';
import { Alert, Descriptions, Empty, Space, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { SessionAlert } from '@shared/alerts';
import { isRecord } from '@shared/json';
import type { ReviewOutputView } from '@shared/review';
import type { SessionTurn } from '@shared/sessions';
import { auditItems, fieldLabel, outputLabel } from '../review/draft';
import { formFields, isEmpty, severityColor, showValue } from './model';

const ROLE_KEYS = new Set(['agent', 'customer', 'system']);

/**
 * The call as it grows: each turn with its speaker, the evidence turns of the field in focus
 * highlighted (and scrolled to); new turns scroll into view while the agent is at the bottom.
 */
export function Transcript({ turns, highlight }: { turns: SessionTurn[]; highlight: string[] }) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && atBottom.current && highlight.length === 0) el.scrollTop = el.scrollHeight;
  }, [turns.length, highlight.length]);
  useEffect(() => {
    const first = highlight[0];
    if (first) box.current?.querySelector(`[data-turn="${CSS.escape(first)}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [highlight]);
  if (turns.length === 0) return <Empty description={t('desk.waiting')} data-testid="desk-waiting" />;
  return (
    <div
      ref={box}
      className="mf-desk-transcript"
      data-testid="desk-transcript"
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {turns.map((turn) => (
        <div key={turn.id} data-turn={turn.id} data-testid={`desk-turn-${turn.id}`} className={`mf-desk-turn mf-desk-${ROLE_KEYS.has(turn.role) ? turn.role : 'other'}${highlight.includes(turn.id) ? ' mf-review-turn-hl' : ''}`}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{turn.id} · {ROLE_KEYS.has(turn.role) ? t(`review.role.${turn.role}`) : turn.role}</Typography.Text>
          <div>{turn.text}</div>
        </div>
      ))}
    </div>
  );
}

/** The turn ids of a field's evidence as tags: hovering or clicking one highlights the turns in the transcript. */
function EvidenceTags({ ids, onPoint }: { ids: string[]; onPoint: (ids: string[]) => void }) {
  const { t } = useTranslation();
  if (ids.length === 0) return null;
  return (
    <Tooltip title={t('desk.evidenceTip')}>
      <Space size={2} onMouseEnter={() => onPoint(ids)} onMouseLeave={() => onPoint([])}>
        {ids.map((id) => (
          <Tag key={id} color="blue" style={{ cursor: 'pointer' }} data-testid={`desk-evidence-${id}`} onClick={() => onPoint(ids)}>{id}</Tag>
        ))}
      </Space>
    </Tooltip>
  );
}

interface ViewProps {
  view: ReviewOutputView;
  /** `output` and `output.field` keys an update just filled or changed (highlighted a moment). */
  fresh: ReadonlySet<string>;
  onPoint: (ids: string[]) => void;
}

/** A form field by field: the value (or 待填写), the turns it came from; newly filled fields flash. */
export function FormView({ view, fresh, onPoint }: ViewProps) {
  const { t } = useTranslation();
  const value = isRecord(view.value) ? view.value : {};
  const fields = formFields(view);
  return (
    <Descriptions
      size="small"
      bordered
      column={1}
      data-testid={`desk-form-${view.name}`}
      styles={{ label: { width: 140 } }}
      items={fields.map((field) => ({
        key: field,
        label: <span title={field} data-testid={`desk-label-${view.name}-${field}`}>{fieldLabel(view, field)}</span>,
        className: fresh.has(`${view.name}.${field}`) ? 'mf-desk-fresh' : undefined,
        children: (
          <Space style={{ width: '100%', justifyContent: 'space-between' }} data-testid={`desk-field-${view.name}-${field}`} data-filled={isEmpty(value[field]) ? 'no' : 'yes'}>
            {isEmpty(value[field]) ? <Typography.Text type="secondary">{t('desk.empty')}</Typography.Text> : <span>{showValue(value[field])}</span>}
            <EvidenceTags ids={view.evidence?.[field] ?? []} onPoint={onPoint} />
          </Space>
        ),
      }))}
    />
  );
}

/** Any other output, readably: a label by its class name, an audit sheet item by item, a flag, text or JSON. */
export function OutputView({ view, fresh, onPoint }: ViewProps) {
  const { t } = useTranslation();
  const value = view.value;
  const className = fresh.has(view.name) ? 'mf-desk-fresh' : undefined;
  let body;
  if (value === null || value === undefined) body = <Typography.Text type="secondary">—</Typography.Text>;
  else if (view.kind === 'label') body = <Tag color="geekblue">{view.labels?.find((l) => l.id === value)?.name ?? showValue(value)}</Tag>;
  else if (view.kind === 'boolean') body = <Tag color={value === true ? 'volcano' : undefined}>{value === true ? t('desk.yes') : t('desk.no')}</Tag>;
  else if (view.kind === 'audit')
    body = (
      <Space direction="vertical" size={2} style={{ width: '100%' }}>
        {auditItems(value).map((item) => (
          <Space key={item.id} size={4} wrap>
            <Tag color={item.result === 'fail' ? 'red' : item.result === 'pass' ? 'green' : undefined}>{item.result === 'fail' ? t('desk.auditFail') : item.result === 'pass' ? t('desk.auditPass') : t('desk.auditNa')}</Tag>
            <span>{item.name}</span>
            {item.fatal && <Tag color="red">{t('desk.redLine')}</Tag>}
            <EvidenceTags ids={item.evidence} onPoint={onPoint} />
          </Space>
        ))}
      </Space>
    );
  else if (view.kind === 'json') body = <pre className="mf-desk-json">{JSON.stringify(value, null, 2)}</pre>;
  else body = <span>{showValue(value)}</span>;
  return (
    <div className={className} data-testid={`desk-output-${view.name}`} style={{ padding: '4px 0' }}>
      <Typography.Text strong title={view.name}>{outputLabel(view)}</Typography.Text> {view.description !== outputLabel(view) && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{view.description}</Typography.Text>}
      <div style={{ marginTop: 2 }}>{body}</div>
    </div>
  );
}

/** The alerts of the call, newest first, as banners in their severity's colour. */
export function AlertList({ alerts, onPoint }: { alerts: SessionAlert[]; onPoint: (ids: string[]) => void }) {
  const { t } = useTranslation();
  if (alerts.length === 0) return null;
  return (
    <Space direction="vertical" size={4} style={{ width: '100%', marginBottom: 12 }} data-testid="desk-alerts">
      {alerts.map((a) => (
        <Alert
          key={a.id}
          showIcon
          type={a.severity === 'critical' ? 'error' : a.severity === 'warning' ? 'warning' : 'info'}
          data-testid={`desk-alert-${a.rule_id}`}
          title={
            <Space size={6} wrap>
              <Tag color={severityColor(a.severity)}>{t(`live.severity.${a.severity}`)}</Tag>
              <span>{a.name}</span>
              {a.turn_id && <a onClick={() => onPoint(a.turn_id ? [a.turn_id] : [])}>{t('desk.alertAt', { turn: a.turn_id })}</a>}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{new Date(a.at).toLocaleTimeString()}</Typography.Text>
            </Space>
          }
        />
      ))}
    </Space>
  );
}
