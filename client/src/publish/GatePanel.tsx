import { useState } from 'react';
import { Alert, Button, Input, Progress, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { GateCase, GateCheck, GateFailure, GateSide } from '@shared/publish-gate';
import { SimulatedTag } from '../common/SimulatedTag';
import { navigate } from '../router';
import { metricValue } from './gate-api';

const shown = (value: unknown) => (value === undefined ? '–' : typeof value === 'string' ? value : JSON.stringify(value));

function SideProgress({ side, label }: { side: GateSide; label: string }) {
  const { t } = useTranslation();
  const percent = side.total > 0 ? Math.round((side.done / side.total) * 100) : 0;
  return (
    <div data-testid={`gate-side-${side.version === null ? 'draft' : 'live'}`}>
      <Space size={8}>
        <strong>{label}</strong>
        <Typography.Text type="secondary">{side.status === null ? t('gate.waiting') : t('gate.progress', { done: side.done, total: side.total })}</Typography.Text>
      </Space>
      <Progress percent={side.status === 'completed' ? 100 : percent} size="small" status={side.status === 'completed' ? 'success' : 'active'} />
    </div>
  );
}

function failureText(t: ReturnType<typeof useTranslation>['t'], check: GateCheck, f: GateFailure): string {
  const metric = check.gate?.metric ?? '';
  if (f.rule === 'min') return t('gate.failMin', { metric, value: metricValue(f.value), bar: metricValue(f.bar) });
  if (f.rule === 'max_drop') return t('gate.failMaxDrop', { metric, value: metricValue(f.value), live: metricValue(f.live_value), version: check.live?.version ?? '', drop: metricValue(f.drop), maxDrop: metricValue(check.gate?.max_drop) });
  if (f.rule === 'run_failed') return t('gate.failRun');
  if (f.rule === 'no_cases') return t('gate.failNoCases');
  return t('gate.failUndefined', { metric });
}

/**
 * A publish gate's check in the publish dialog: progress while the draft (and the live version) are
 * evaluated; below the gate, the numbers in words, the worst cases and, for admins, publishing anyway with
 * a note.
 */
export function GatePanel({ scenarioId, check, canOverride, busy, onOverride }: { scenarioId: string; check: GateCheck; canOverride: boolean; busy: boolean; onOverride(note: string): void }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const simulated = check.draft?.simulated === true || check.live?.simulated === true;
  const openEval = () => check.gate && navigate({ page: 'eval', scenarioId, setId: check.gate.set_id });
  const override = canOverride && check.status !== 'passed' && (
    <div style={{ marginTop: 12 }} data-testid="gate-override">
      <Typography.Text strong>{t('gate.overrideTitle')}</Typography.Text>
      <Typography.Paragraph type="secondary" style={{ margin: '4px 0' }}>{t('gate.overrideHint')}</Typography.Paragraph>
      <Input.TextArea rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('gate.overridePlaceholder')} data-testid="gate-override-note" />
      <Button danger style={{ marginTop: 8 }} loading={busy} disabled={note.trim() === ''} onClick={() => onOverride(note.trim())} data-testid="gate-override-publish">{t('gate.override')}</Button>
    </div>
  );
  return (
    <div data-testid="gate-panel" data-status={check.status}>
      {simulated && <Alert type="warning" showIcon style={{ marginBottom: 8 }} title={<Space><SimulatedTag testId="gate-simulated" />{t('gate.simulated')}</Space>} />}
      {check.status === 'evaluating' && (
        <Alert type="info" showIcon title={t('gate.evaluating')} description={
          <>
            {check.draft && <SideProgress side={check.draft} label={t('gate.draft')} />}
            {check.live && <SideProgress side={check.live} label={t('gate.live', { version: check.live.version })} />}
          </>
        } />
      )}
      {check.status === 'failed' && (
        <Alert type="error" showIcon data-testid="gate-failed" title={t('gate.failed')} description={
          <>
            <ul style={{ paddingInlineStart: 18, margin: 0 }}>
              {check.failures.map((f, i) => <li key={i} data-testid="gate-failure">{failureText(t, check, f)}</li>)}
            </ul>
            {check.worst_cases.length > 0 && (
              <>
                <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>{t('gate.worst')}</Typography.Text>
                <Table<GateCase>
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={check.worst_cases}
                  data-testid="gate-worst"
                  columns={[
                    { title: t('gate.caseId'), dataIndex: 'id', width: 120, ellipsis: true, render: (id: string, c) => <Space size={4}><span>{id}</span>{c.regressed && <Tag color="red">{t('gate.regressed')}</Tag>}</Space> },
                    { title: t('gate.expected'), dataIndex: 'expected', ellipsis: true, render: shown },
                    { title: t('gate.actual'), dataIndex: 'actual', ellipsis: true, render: shown },
                  ]}
                />
              </>
            )}
            <Button type="link" style={{ padding: 0 }} onClick={openEval} data-testid="gate-open-eval">{t('gate.openEval')}</Button>
          </>
        } />
      )}
      {override}
    </div>
  );
}
