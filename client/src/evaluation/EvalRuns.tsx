import { createContext, lazy, Suspense, useCallback, useContext, useEffect, useState } from 'react';
import { App, Button, Card, Modal, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { PlayCircleOutlined, SwapOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { EvalRunCase, EvalRunComparison, EvalRunDetail, EvalRunSummary } from '@shared/evaluation-runs';
import { useCan } from '../auth/store';
import { SimulatedTag } from '../common/SimulatedTag';
import { errorText } from '../publish/http';
import { evalApi } from './api';
import { CaseId } from './CaseId';

/** The runs log's trace drawer, loaded when a trace is opened: it is editor code the 评测集 page does not load otherwise. */
const RunTraceDrawer = lazy(() => import('../runs-log/RunTraceDrawer').then((m) => ({ default: m.RunTraceDrawer })));

/** Flat metrics without per-class / per-field entries (`name[key]`), which the detail lists separately. */
const headline = (metrics: Record<string, number | null> | null) => Object.entries(metrics ?? {}).filter(([name]) => !name.includes('['));
const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(3));
/** Opens a run's trace in the drawer the runs log uses (node by node), over whatever dialog is open. */
const TraceContext = createContext<(runId: string) => void>(() => {});

function TraceLink({ runId, label }: { runId: string | null; label: string }) {
  const open = useContext(TraceContext);
  return runId ? <Typography.Link onClick={() => open(runId)} data-testid="eval-run-trace">{label}</Typography.Link> : <Typography.Text type="secondary">—</Typography.Text>;
}

/** One scored run: every headline metric and each case right or wrong per output, with its trace. */
function RunDetailModal({ run, onClose }: { run: EvalRunDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const [cases, setCases] = useState<EvalRunCase[] | null>(null);
  useEffect(() => {
    if (run.status === 'completed') evalApi.runCases(run.id).then(setCases, () => setCases([]));
  }, [run.id, run.status]);
  return (
    <Modal open width={880} title={t('evalRuns.detail')} onCancel={onClose} footer={null} data-testid="eval-run-detail">
      {run.simulated && <Space style={{ marginBottom: 8 }}><SimulatedTag testId="eval-run-simulated" />{t('evalRuns.simulated')}</Space>}
      <Table size="small" rowKey="0" pagination={false} dataSource={headline(run.metrics)} columns={[{ title: t('evalRuns.metric'), dataIndex: 0 }, { title: t('evalRuns.value'), dataIndex: 1, render: (v: number | null) => num(v) }]} data-testid="eval-run-metrics" />
      <Table
        size="small"
        rowKey="id"
        style={{ marginTop: 12 }}
        loading={cases === null}
        dataSource={cases ?? []}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        data-testid="eval-run-cases"
        columns={[
          { title: t('evalRuns.caseId'), dataIndex: 'id', width: 170, render: (id: string) => <CaseId id={id} /> },
          {
            title: t('evalRuns.outcome'),
            key: 'outcome',
            render: (_: unknown, c: EvalRunCase) =>
              c.status !== 'succeeded' ? <Tag color="red">{t('evalRuns.failedCase')}</Tag> : Object.entries(c.outputs).map(([output, r]) => <Tag key={output} color={r.correct ? 'green' : 'red'} data-testid={`eval-case-${c.id}-${r.correct ? 'right' : 'wrong'}`}>{output}: {r.correct ? t('evalRuns.right') : t('evalRuns.wrong')}</Tag>),
          },
          { title: t('evalRuns.trace'), dataIndex: 'run_id', render: (id: string | null) => <TraceLink runId={id} label={t('evalRuns.trace')} /> },
        ]}
      />
    </Modal>
  );
}

/** Two results side by side: metric deltas and the cases that flipped, each opening both traces. */
function CompareModal({ comparison, name, onClose }: { comparison: EvalRunComparison; name: (r: EvalRunSummary) => string; onClose: () => void }) {
  const { t } = useTranslation();
  const flips = comparison.changed.flatMap((c) => [
    ...c.right_to_wrong.map((x) => ({ ...x, output: c.output, kind: 'rightToWrong' as const })),
    ...c.wrong_to_right.map((x) => ({ ...x, output: c.output, kind: 'wrongToRight' as const })),
  ]);
  return (
    <Modal open width={880} title={t('evalRuns.compareTitle', { a: name(comparison.a), b: name(comparison.b) })} onCancel={onClose} footer={null} data-testid="eval-compare">
      {!comparison.same_revision && <Typography.Paragraph type="warning">{t('evalRuns.otherRevision', { common: comparison.common })}</Typography.Paragraph>}
      <Table
        size="small"
        rowKey="metric"
        pagination={false}
        dataSource={comparison.deltas.filter((d) => !d.metric.includes('['))}
        data-testid="eval-compare-deltas"
        columns={[
          { title: t('evalRuns.metric'), dataIndex: 'metric' },
          { title: t('evalRuns.before'), dataIndex: 'a', render: (v: number | null) => num(v) },
          { title: t('evalRuns.after'), dataIndex: 'b', render: (v: number | null) => num(v) },
          { title: t('evalRuns.delta'), dataIndex: 'delta', render: (v: number | null) => <Typography.Text type={v === null || v === 0 ? undefined : v > 0 ? 'success' : 'danger'}>{v !== null && v > 0 ? '+' : ''}{num(v)}</Typography.Text> },
        ]}
      />
      <Table
        size="small"
        rowKey={(r) => `${r.output}:${r.id}`}
        style={{ marginTop: 12 }}
        pagination={false}
        dataSource={flips}
        locale={{ emptyText: t('evalRuns.noChange') }}
        data-testid="eval-compare-changed"
        columns={[
          { title: t('evalRuns.caseId'), dataIndex: 'id', width: 170, render: (id: string) => <CaseId id={id} /> },
          { title: t('evalRuns.metric'), dataIndex: 'output' },
          { title: t('evalRuns.outcome'), dataIndex: 'kind', render: (k: 'rightToWrong' | 'wrongToRight') => <Tag color={k === 'rightToWrong' ? 'red' : 'green'} data-testid={`eval-flip-${k}`}>{t(`evalRuns.${k}`)}</Tag> },
          { title: t('evalRuns.trace'), key: 'traces', render: (_: unknown, r: (typeof flips)[number]) => <Space><TraceLink runId={r.a_run_id} label={t('evalRuns.before')} /><TraceLink runId={r.b_run_id} label={t('evalRuns.after')} /></Space> },
        ]}
      />
    </Modal>
  );
}

/**
 * The evaluation runs of one set: run it on the draft or a version, the runs with progress (polled every
 * second while one runs) and headline metrics, a run's result, and two runs compared.
 */
export function EvalRuns({ scenarioId, setId }: { scenarioId: string; setId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('eval:write');
  const [runs, setRuns] = useState<EvalRunSummary[] | null>(null);
  const [versions, setVersions] = useState<number[]>([]);
  const [target, setTarget] = useState<number>(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [shown, setShown] = useState<EvalRunDetail | null>(null);
  const [comparison, setComparison] = useState<EvalRunComparison | null>(null);
  const [trace, setTrace] = useState<string | null>(null);

  const load = useCallback(() => {
    evalApi.runs(scenarioId).then((all) => setRuns(all.filter((r) => r.set_id === setId)), (e: unknown) => message.error(errorText(e)));
  }, [scenarioId, setId, message]);
  useEffect(load, [load]);
  useEffect(() => {
    evalApi.versions(scenarioId).then((vs) => setVersions(vs.map((v) => v.version)), () => setVersions([]));
  }, [scenarioId]);
  const running = (runs ?? []).some((r) => r.status === 'queued' || r.status === 'running');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(load, 1000);
    return () => clearInterval(timer);
  }, [running, load]);

  const name = (r: EvalRunSummary) => (r.version === null ? t('evalRuns.draft') : t('evalRuns.version', { version: r.version }));
  const start = async () => {
    try {
      const started = await evalApi.startRun(scenarioId, setId, target === 0 ? { draft: true } : { version: target });
      message.success(t('evalRuns.started', { total: started.total }));
      load();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const open = (id: string) => void evalApi.run(id).then(setShown, (e: unknown) => message.error(errorText(e)));
  const compare = () => void evalApi.compare(selected[0], selected[1]).then(setComparison, (e: unknown) => message.error(errorText(e)));
  const cancel = (id: string) => void evalApi.cancelRun(id).then(load, (e: unknown) => message.error(errorText(e)));

  return (
    <TraceContext.Provider value={setTrace}>
    <Card size="small" title={t('evalRuns.title')} style={{ marginTop: 16 }} data-testid="eval-runs"
      extra={
        <Space>
          {canWrite && <Select size="small" style={{ width: 160 }} value={target} onChange={setTarget} data-testid="eval-run-target" options={[{ value: 0, label: t('evalRuns.draft') }, ...versions.map((v) => ({ value: v, label: t('evalRuns.version', { version: v }) }))]} />}
          {canWrite && <Button size="small" type="primary" icon={<PlayCircleOutlined />} onClick={() => void start()} data-testid="eval-run-start">{t('evalRuns.run')}</Button>}
          <Button size="small" icon={<SwapOutlined />} disabled={selected.length !== 2} title={t('evalRuns.compareHint')} onClick={compare} data-testid="eval-run-compare">{t('evalRuns.compare')}</Button>
        </Space>
      }>
      <Table
        size="small"
        rowKey="id"
        loading={runs === null}
        dataSource={runs ?? []}
        pagination={{ pageSize: 10, showSizeChanger: false }}
        locale={{ emptyText: t('evalRuns.none') }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String).slice(-2)), getCheckboxProps: (r) => ({ disabled: r.status !== 'completed' }) }}
        onRow={(r) => ({ onClick: () => open(r.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('evalRuns.when'), dataIndex: 'created_at', render: (at: string) => new Date(at).toLocaleString(i18n.language) },
          { title: t('evalRuns.target'), key: 'target', render: (_: unknown, r: EvalRunSummary) => <span data-testid="eval-run-name">{name(r)} {r.simulated && <SimulatedTag testId="eval-run-simulated-tag" />}</span> },
          { title: t('evalRuns.revision'), dataIndex: 'set_revision', render: (n: number) => `r${n}` },
          {
            title: t('evalRuns.status'),
            key: 'status',
            render: (_: unknown, r: EvalRunSummary) =>
              r.status === 'queued' || r.status === 'running' ? (
                <Space onClick={(e) => e.stopPropagation()}>
                  <Progress size="small" style={{ width: 100 }} percent={Math.round((100 * r.done) / Math.max(1, r.total))} format={() => `${r.done}/${r.total}`} />
                  {canWrite && <Button size="small" type="link" onClick={() => cancel(r.id)}>{t('evalRuns.cancel')}</Button>}
                </Space>
              ) : (
                <Tag color={r.status === 'completed' ? 'green' : r.status === 'failed' ? 'red' : undefined} data-testid={`eval-run-status-${r.status}`} title={r.error ?? undefined}>{t(`evalRuns.statuses.${r.status}`)}</Tag>
              ),
          },
          { title: t('evalRuns.headline'), key: 'metrics', render: (_: unknown, r: EvalRunSummary) => headline(r.metrics).slice(0, 3).map(([m, v]) => <div key={m} style={{ fontSize: 12 }} data-testid="eval-run-headline">{m} = {num(v)}</div>) },
        ]}
      />
      {shown && <RunDetailModal run={shown} onClose={() => setShown(null)} />}
      {comparison && <CompareModal comparison={comparison} name={name} onClose={() => setComparison(null)} />}
      {trace !== null && (
        <Suspense fallback={null}>
          <RunTraceDrawer runId={trace} onClose={() => setTrace(null)} />
        </Suspense>
      )}
    </Card>
    </TraceContext.Provider>
  );
}
