import { useState } from 'react';
import { App, Button, Popover, Select, Space, Typography } from 'antd';
import { ExperimentOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { PromoteBody } from '@shared/evaluation';
import { useCan } from '../auth/store';
import { errorText } from '../publish/http';
import { evalApi, type EvalSetSummary } from './api';

/**
 * 加入评测集: makes a run or a job item a case of one of the scenario's sets, its outputs the starting
 * expected outputs (corrected later on the 评测集 page). Shown only to those who may change sets.
 * `compact`: the icon alone (its name in the tooltip), for a narrow table.
 */
export function AddToSet({ scenarioId, source, testId = 'add-to-set', compact = false }: { scenarioId: string; source: PromoteBody; testId?: string; compact?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('eval:write');
  const [sets, setSets] = useState<EvalSetSummary[] | null>(null);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [visible, setVisible] = useState(false);
  if (!canWrite) return null;

  // Read afresh on every opening: the revisions shown move with each case added.
  const open = (next: boolean) => {
    setVisible(next);
    if (!next) return;
    evalApi.list(scenarioId).then(
      (list) => {
        setSets(list);
        setChosen((was) => (was && list.some((x) => x.id === was) ? was : list[0]?.id));
      },
      (e: unknown) => message.error(errorText(e)),
    );
  };
  const add = async () => {
    if (!chosen) return;
    setBusy(true);
    try {
      const reply = await evalApi.promote(chosen, source);
      message.success(t('evalSets.promoted', { id: reply.case_ids[0] ?? '', revision: reply.revision }));
      setVisible(false);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const content =
    sets !== null && sets.length === 0 ? (
      <Typography.Text type="secondary">
        {t('evalSets.noSetYet')} <a href={`#/scenarios/${encodeURIComponent(scenarioId)}/eval`}>{t('evalSets.nav')}</a>
      </Typography.Text>
    ) : (
      <Space>
        <Select size="small" style={{ minWidth: 180 }} loading={sets === null} value={chosen} onChange={setChosen} options={(sets ?? []).map((s) => ({ value: s.id, label: `${s.name} (r${s.revision})` }))} data-testid={`${testId}-select`} />
        <Button size="small" type="primary" loading={busy} disabled={!chosen} onClick={() => void add()} data-testid={`${testId}-confirm`}>{t('evalSets.add')}</Button>
      </Space>
    );
  return (
    // The content sits in a portal, but React still bubbles its clicks to the row around the button
    // (a runs-log row opens its trace on click): they stop here.
    <Popover trigger="click" open={visible} title={t('evalSets.addTitle')} content={<div onClick={(e) => e.stopPropagation()}>{content}</div>} onOpenChange={open}>
      <Button size="small" type="link" icon={<ExperimentOutlined />} title={compact ? t('evalSets.addToSet') : undefined} aria-label={t('evalSets.addToSet')} onClick={(e) => e.stopPropagation()} data-testid={testId}>{compact ? null : t('evalSets.addToSet')}</Button>
    </Popover>
  );
}
