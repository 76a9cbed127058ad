import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Form, List, Tag, Typography } from 'antd';
import { CaretRightOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { nodeRole, start } from '@shared/index';
import { api, type RunSummary } from '../api';
import { useCan } from '../auth/store';
import { useEditor } from '../editor/store';
import { typedConfig } from '../nodes/kit';
import { useRun } from './run-store';
import { SimulatedTag } from '../common/SimulatedTag';
import { streamTestRun } from './test-run';
import { inputValue, RunInputs } from './RunInputs';
import { RunErrorAlert } from '../components/RunErrorAlert';
import { checkRunInputs } from './check-inputs';
import { apiErrorText } from '../i18n/api-error-text';
import { AddToSet } from '../evaluation/AddToSet';

const STATUS_COLOR: Record<string, string> = { succeeded: 'green', failed: 'red', running: 'blue' };

/** The test-run side: inputs from the start node, run with live events, and the last runs to reopen. */
export function RunPanel() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const scenarioId = useEditor((s) => s.scenarioId);
  const startNode = useEditor((s) => s.nodes.find((n) => nodeRole(n.data.kind) === 'entry'));
  const values = useEditor((s) => s.meta.inputs) ?? {};
  const run = useRun();
  const canTest = useCan('scenarios:test');
  // Without pii:read the server sent the sample inputs masked; it keeps the stored ones on save unless edited.
  const masked = !useCan('pii:read') && Object.keys(values).length > 0;
  const [history, setHistory] = useState<RunSummary[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const abort = useRef<AbortController | null>(null);
  const inputs = startNode ? typedConfig(startNode.data.config, start).inputs : [];

  const loadHistory = useCallback(() => {
    if (scenarioId) api.listRuns(scenarioId).then(setHistory, () => setHistory([]));
  }, [scenarioId]);
  useEffect(loadHistory, [loadHistory]);
  useEffect(() => () => abort.current?.abort(), []);

  const go = async () => {
    if (!scenarioId) return;
    const checked = checkRunInputs(inputs, values, t);
    setErrors(checked.ok ? {} : checked.errors);
    if (!checked.ok) return void message.error(t('runForm.fixFirst'));
    const sent = checked.sent;
    abort.current?.abort();
    abort.current = new AbortController();
    useRun.getState().begin();
    try {
      await streamTestRun(scenarioId, sent, useEditor.getState().graph(), (e) => useRun.getState().apply(e), abort.current.signal);
      if (useRun.getState().status === 'running') useRun.getState().fail({ code: 'stream_ended', message: 'the stream ended early' });
    } catch (error) {
      if (abort.current.signal.aborted) return;
      useRun.getState().fail({ code: 'request_failed', message: apiErrorText(error) });
      message.error(t('run.failed', { message: apiErrorText(error) }));
    } finally {
      loadHistory();
    }
  };

  const reopen = async (id: string) => {
    const detail = await api.getRun(id);
    useRun.getState().show(detail.events);
  };

  return (
    <div data-testid="run-panel">
      {canTest && (
        <>
          {masked && <Alert style={{ marginBottom: 8 }} type="info" showIcon title={t('run.maskedSamples')} data-testid="run-masked-samples" />}
          <Form layout="vertical" size="small">
            <RunInputs
              inputs={inputs}
              values={values}
              errors={errors}
              onChange={(name, value) => {
                if (errors[name]) setErrors(({ [name]: _, ...rest }) => rest);
                useEditor.getState().setMeta({ inputs: { ...values, [name]: value } });
              }}
            />
          </Form>
          <Button type="primary" icon={<CaretRightOutlined />} loading={run.status === 'running'} onClick={() => void go()} block data-testid="run-button">
            {run.status === 'running' ? t('run.running') : t('run.start')}
          </Button>
        </>
      )}
      {run.simulated && run.status !== 'running' && <Alert style={{ marginTop: 12 }} type="warning" showIcon title={t('simulated.runAlert')} data-testid="run-simulated" />}
      {run.status === 'succeeded' && (
        <div style={{ marginTop: 12 }} data-testid="run-outputs">
          <Typography.Text strong>{t('run.outputs')}</Typography.Text>{' '}
          <Tag color="green">{t('run.status.succeeded')}</Tag>
          {run.latency_ms !== undefined && <Tag>{t('run.latency', { ms: Math.round(run.latency_ms) })}</Tag>}
          {run.tokens ? <Tag>{t('run.tokens', { count: run.tokens })}</Tag> : null}
          {run.simulated && <SimulatedTag />}
          {/* The run, its outputs the expected values to correct, made a case of one of the scenario's sets. */}
          {scenarioId && run.runId && <AddToSet scenarioId={scenarioId} source={{ run_id: run.runId }} testId="run-add-to-set" />}
          <pre className="mf-pre">{JSON.stringify(run.outputs, null, 2)}</pre>
        </div>
      )}
      {run.status === 'failed' && run.error && <RunErrorAlert style={{ marginTop: 12 }} error={run.error} testId="run-error" />}
      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('run.history')}</Typography.Title>
      <List
        size="small"
        dataSource={history}
        locale={{ emptyText: t('run.noRuns') }}
        data-testid="run-history"
        renderItem={(r) => (
          <List.Item actions={[<a key="open" onClick={() => void reopen(r.id)}>{t('run.reopen')}</a>, ...(scenarioId && r.status === 'succeeded' ? [<AddToSet key="add" scenarioId={scenarioId} source={{ run_id: r.id }} testId="history-add-to-set" />] : [])]}>
            <Tag color={STATUS_COLOR[r.status]}>{t(`run.status.${r.status}`, r.status)}</Tag>
            <span style={{ fontSize: 12 }}>{new Date(r.created_at).toLocaleString()}</span>
            {r.latency_ms !== null && <span style={{ fontSize: 12, color: '#8c8c8c', marginLeft: 6 }}>{Math.round(r.latency_ms)} ms</span>}
            {r.simulated && <span style={{ marginLeft: 6 }}><SimulatedTag testId="history-simulated" /></span>}
          </List.Item>
        )}
      />
    </div>
  );
}
