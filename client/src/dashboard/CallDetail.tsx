import { useEffect, useMemo, useState } from 'react';
import { Alert, Card, Col, Descriptions, Drawer, Row, Spin, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CallItem } from '@shared/dashboard';
import { errorText } from '../publish/http';
import { dashboardApi, type CallDetail } from '../jobs/api';
import { SimulatedTag } from '../common/SimulatedTag';
import { VerdictTag } from './VerdictTag';
import { AddToSet } from '../evaluation/AddToSet';

const RESULT_COLOR: Record<string, string> = { pass: 'green', fail: 'red', na: 'default' };

/** The red lines a call hit, by name (the names the audit sheet of the version that ran gave its items); an id no item names stays as it is. */
export function fatalNames(fatal: string[], items: CallItem[]): Array<{ id: string; name: string }> {
  return fatal.map((id) => ({ id, name: items.find((i) => i.id === id)?.name || id }));
}

/** Turn ids to highlight: the chosen item's evidence, or every failing item's by default. */
export function highlighted(items: CallItem[], chosen: string | null): Set<string> {
  const pick = chosen === null ? items.filter((i) => i.result === 'fail') : items.filter((i) => i.id === chosen);
  return new Set(pick.flatMap((i) => i.evidence));
}

function Transcript({ turns, marked }: { turns: NonNullable<CallDetail['transcript']>; marked: Set<string> }) {
  const { t } = useTranslation();
  return (
    <div data-testid="call-transcript" style={{ maxHeight: 520, overflow: 'auto' }}>
      {turns.map((turn) => {
        const hit = marked.has(turn.id);
        const agent = turn.role === 'agent';
        return (
          <div
            key={turn.id}
            data-turn={turn.id}
            data-marked={hit ? 'true' : undefined}
            style={{ padding: '6px 8px', marginBottom: 4, borderRadius: 6, background: hit ? '#fff1f0' : agent ? '#f5f9ff' : '#fafafa', borderLeft: `3px solid ${hit ? '#ff4d4f' : 'transparent'}` }}
          >
            <Typography.Text type="secondary" style={{ fontSize: 11 }}>{`${turn.id} · ${agent ? t('dashboard.agent') : turn.role === 'customer' ? t('dashboard.customer') : turn.role}`}</Typography.Text>
            <div style={{ whiteSpace: 'pre-wrap' }}>{turn.text}</div>
          </div>
        );
      })}
    </div>
  );
}

/** One call: score, verdict, every audit item with its evidence turns, and the transcript with them marked. */
export function CallDetailDrawer({ scenarioId, call, onClose }: { scenarioId: string; call: { jobId: string; itemId: string; line?: number } | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [detail, setDetail] = useState<CallDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);

  useEffect(() => {
    if (!call) return;
    let live = true;
    setDetail(null);
    setError(null);
    setChosen(null);
    dashboardApi.call(scenarioId, call.jobId, call.itemId, call.line).then(
      (d) => live && setDetail(d),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [scenarioId, call]);

  const marked = useMemo(() => (detail ? highlighted(detail.items, chosen) : new Set<string>()), [detail, chosen]);

  return (
    <Drawer open={call !== null} onClose={onClose} size={1200} title={call ? t('dashboard.detailTitle', { id: call.itemId }) : ''} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} />}
      {!detail && !error && <Spin />}
      {detail && (
        <div data-testid="call-detail">
          <Descriptions size="small" column={3} bordered style={{ marginBottom: 12 }}>
            <Descriptions.Item label={t('dashboard.score')}><strong data-testid="call-score">{detail.score ?? '—'}</strong></Descriptions.Item>
            <Descriptions.Item label={t('dashboard.verdict')}><VerdictTag verdict={detail.verdict} />{detail.simulated && <SimulatedTag testId="call-simulated" />}</Descriptions.Item>
            <Descriptions.Item label={t('dashboard.fatal')}>{detail.fatal.length === 0 ? '—' : fatalNames(detail.fatal, detail.items).map((f) => <Tag color="magenta" key={f.id} title={f.id} data-testid="call-fatal">{f.name}</Tag>)}</Descriptions.Item>
            <Descriptions.Item label={t('dashboard.runId')} span={3}>
              <Typography.Text code copyable>{detail.run_id ?? '—'}</Typography.Text>
              {call && <AddToSet scenarioId={scenarioId} source={{ job_id: call.jobId, item_id: call.itemId }} testId="call-add-to-set" />}
            </Descriptions.Item>
          </Descriptions>
          <Row gutter={12}>
            <Col span={detail.transcript ? 14 : 24}>
              <Card size="small" title={t('dashboard.items')}>
                <Table
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={detail.items}
                  data-testid="call-items"
                  onRow={(i) => ({ onClick: () => setChosen(chosen === i.id ? null : i.id), style: { cursor: 'pointer', background: chosen === i.id ? '#e6f4ff' : undefined } })}
                  columns={[
                    { title: t('dashboard.item'), dataIndex: 'name', width: 170, render: (_, i) => <span>{i.fatal && !i.name.includes(t('dashboard.fatal')) && <Tag color="magenta">{t('dashboard.fatal')}</Tag>}{i.name}</span> },
                    { title: t('dashboard.result'), dataIndex: 'result', width: 76, render: (_, i) => <Tag color={RESULT_COLOR[i.result] ?? 'default'}>{i.result === 'pass' ? t('dashboard.verdictPass') : i.result === 'fail' ? t('dashboard.verdictFail') : i.result === 'na' ? t('dashboard.resultNa') : i.result}</Tag> },
                    { title: t('dashboard.score'), dataIndex: 'score', width: 64, render: (_, i) => (i.weight === null ? i.score ?? '—' : `${i.score ?? '—'}/${i.weight}`) },
                    { title: t('dashboard.evidence'), dataIndex: 'evidence', width: 110, render: (_, i) => i.evidence.map((e) => <Tag key={e} style={{ marginInlineEnd: 2 }}>{e}</Tag>) },
                    { title: t('dashboard.reason'), dataIndex: 'reason', render: (_, i) => <Typography.Text style={{ fontSize: 12 }}>{i.reason}</Typography.Text> },
                  ]}
                />
              </Card>
              {detail.report && (
                <Card size="small" title={t('dashboard.report')} style={{ marginTop: 12 }}>
                  <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{detail.report}</Typography.Paragraph>
                </Card>
              )}
            </Col>
            {detail.transcript ? (
              <Col span={10}>
                <Card size="small" title={t('dashboard.transcript')}>
                  <Transcript turns={detail.transcript} marked={marked} />
                </Card>
              </Col>
            ) : (
              <Col span={24}><Alert style={{ marginTop: 12 }} type="info" showIcon title={detail.redacted_at ? t('dashboard.transcriptRedacted', { at: new Date(detail.redacted_at).toLocaleString() }) : t('dashboard.noTranscript')} data-testid="call-no-transcript" /></Col>
            )}
          </Row>
        </div>
      )}
    </Drawer>
  );
}
