import { Alert, Collapse, Descriptions, Empty, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { NodeWarning } from '@shared/index';
import type { NodeRun } from './reduce';
import { useRun } from './run-store';
import { RunErrorAlert } from '../components/RunErrorAlert';
import { SimulatedTag } from '../common/SimulatedTag';
import { warningText } from '../i18n/run-error-text';

function Json({ value }: { value: unknown }) {
  return <pre className="mf-pre">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}

/** What one node did in the shown run: its exact inputs, the prompts sent, the raw and parsed output. */
export function NodeTrace({ nodeId }: { nodeId: string }) {
  const run = useRun((s) => s.nodes[nodeId]);
  return <NodeTraceView run={run} />;
}

/** One node's trace from any run (the canvas's test run, or a stored API run in the run log). */
export function NodeTraceView({ run }: { run: NodeRun | undefined }) {
  const { t } = useTranslation();
  if (!run) return <Empty description={t('run.notRun')} />;
  const calls = run.calls ?? [];
  return (
    <div data-testid="node-trace">
      <Descriptions size="small" column={2} style={{ marginBottom: 8 }}>
        <Descriptions.Item label={t('run.statusLabel')}>
          <Tag color={run.status === 'succeeded' ? 'green' : run.status === 'failed' ? 'red' : run.status === 'running' ? 'blue' : 'default'}>{t(`run.status.${run.status}`)}</Tag>
        </Descriptions.Item>
        {run.latency_ms !== undefined && <Descriptions.Item label={t('run.latencyLabel')}>{t('run.latency', { ms: Math.round(run.latency_ms) })}</Descriptions.Item>}
        {run.tokens ? <Descriptions.Item label={t('run.tokensLabel')}>{run.tokens}</Descriptions.Item> : null}
        {run.branch && run.branch.length > 0 && <Descriptions.Item label={t('run.branchLabel')}>{run.branch.join(', ')}</Descriptions.Item>}
        {run.finishReason && (
          <Descriptions.Item label={t('run.finishReason')}>
            <Tag color={run.finishReason === 'stop' ? 'default' : 'orange'} data-testid="trace-finish-reason" title={run.finishReason}>
              {t(`run.finish.${run.finishReason}`, { defaultValue: run.finishReason })}
            </Tag>
          </Descriptions.Item>
        )}
      </Descriptions>
      {run.error && <RunErrorAlert error={run.error} style={{ marginBottom: 8 }} />}
      {run.warnings && run.warnings.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="trace-warnings"
          message={t('run.warningsTitle')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {run.warnings.map((w, i) => (
                <li key={i}>{warningText(w, t)}</li>
              ))}
            </ul>
          }
          style={{ marginBottom: 8 }}
        />
      )}
      <Collapse
        size="small"
        defaultActiveKey={['inputs', 'prompts', 'reasoning', 'raw', 'outputs']}
        items={[
          { key: 'inputs', label: t('run.nodeInputs'), children: <Json value={run.inputs ?? null} /> },
          ...(calls.length > 0
            ? [
                {
                  key: 'prompts',
                  label: t('run.prompts'),
                  children: calls.map((c, i) => (
                    <div key={i} data-testid="trace-prompts">
                      {c.simulated && <SimulatedTag testId="trace-simulated" />}
                      {c.messages.map((m, j) => (
                        <div key={j} style={{ marginBottom: 6 }}>
                          <Tag>{m.role}</Tag>
                          <Json value={m.content} />
                        </div>
                      ))}
                    </div>
                  )),
                },
                ...(calls.some((c) => c.reasoning)
                  ? [
                      {
                        key: 'reasoning',
                        label: t('run.reasoning'),
                        children: (
                          <div data-testid="trace-reasoning">
                            <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('run.reasoningHint')}</Typography.Text>
                            {calls.map((c, i) => (c.reasoning ? <pre key={i} className="mf-pre mf-reasoning">{c.reasoning}</pre> : null))}
                          </div>
                        ),
                      },
                    ]
                  : []),
                { key: 'raw', label: t('run.raw'), children: calls.map((c, i) => <Json key={i} value={c.raw} />) },
              ]
            : []),
          { key: 'outputs', label: t('run.parsed'), children: <Json value={run.outputs ?? null} /> },
        ]}
      />
    </div>
  );
}
