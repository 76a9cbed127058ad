import { useEffect, useMemo, useState } from 'react';
import { Alert, Collapse, Descriptions, Drawer, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useEditor } from '../editor/store';
import { errorText } from '../publish/http';
import { NodeTraceView } from '../run/NodeTrace';
import { replay } from '../run/reduce';
import { SimulatedTag } from '../common/SimulatedTag';
import { runsLogApi, type RunDetail } from './api';
import { RunErrorAlert } from '../components/RunErrorAlert';

const STATUS_COLOR: Record<string, string> = { succeeded: 'green', failed: 'red', running: 'blue', skipped: 'default' };

/** Node ids in the order the run reached them. */
function nodeOrder(detail: RunDetail): string[] {
  const seen: string[] = [];
  for (const e of detail.events) if ('node_id' in e && !seen.includes(e.node_id)) seen.push(e.node_id);
  return seen;
}

/** A stored run's trace, node by node (inputs, prompts, raw and parsed outputs, latency, tokens), in a drawer. */
export function RunTraceDrawer({ runId, onClose }: { runId: string | null; onClose(): void }) {
  const { t } = useTranslation();
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const names = useEditor((s) => s.nodes);

  useEffect(() => {
    if (!runId) return;
    let live = true;
    setDetail(null);
    setError(null);
    runsLogApi.run(runId).then(
      (d) => live && setDetail(d),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [runId]);

  const view = useMemo(() => (detail ? replay(detail.events) : null), [detail]);
  const order = useMemo(() => (detail ? nodeOrder(detail) : []), [detail]);
  const nameOf = (id: string) => names.find((n) => n.id === id)?.data.name ?? id;

  return (
    <Drawer open={runId !== null} onClose={onClose} size={720} title={t('logs.traceTitle')} destroyOnHidden>
      {error && <Alert type="error" showIcon message={error} />}
      {!detail && !error && <Spin />}
      {detail && view && (
        <div data-testid="run-trace">
          <Descriptions size="small" column={2} bordered style={{ marginBottom: 12 }}>
            <Descriptions.Item label={t('logs.runId')} span={2}><Typography.Text code copyable>{detail.id}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={t('logs.status')}><Tag color={STATUS_COLOR[detail.status]}>{t(`run.status.${detail.status}`)}</Tag>{(detail.simulated || view.simulated) && <SimulatedTag />}</Descriptions.Item>
            <Descriptions.Item label={t('logs.latency')}>{detail.latency_ms === null ? '—' : `${Math.round(detail.latency_ms)} ms`}</Descriptions.Item>
            <Descriptions.Item label={t('logs.tokens')}>{view.tokens ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('logs.time')}>{new Date(detail.created_at).toLocaleString()}</Descriptions.Item>
          </Descriptions>
          {detail.redacted_at && <Alert type="info" showIcon message={t('logs.redacted', { at: new Date(detail.redacted_at).toLocaleString() })} style={{ marginBottom: 12 }} data-testid="run-redacted" />}
          {detail.error && <RunErrorAlert error={detail.error} style={{ marginBottom: 12 }} />}
          <Collapse
            size="small"
            items={[
              { key: 'in', label: t('logs.runInputs'), children: <pre className="mf-pre">{JSON.stringify(detail.inputs, null, 2)}</pre> },
              { key: 'out', label: t('logs.runOutputs'), children: <pre className="mf-pre">{JSON.stringify(detail.outputs, null, 2)}</pre> },
            ]}
            style={{ marginBottom: 12 }}
          />
          <Typography.Title level={5}>{t('logs.nodes')}</Typography.Title>
          <Collapse
            size="small"
            data-testid="trace-nodes"
            items={order.map((id) => {
              const n = view.nodes[id];
              return {
                key: id,
                label: (
                  <span data-testid={`trace-node-${id}`}>
                    <strong>{nameOf(id)}</strong> <Typography.Text type="secondary" code>{id}</Typography.Text>{' '}
                    {n && <Tag color={STATUS_COLOR[n.status]}>{t(`run.status.${n.status}`)}</Tag>}
                    {n?.latency_ms !== undefined && <Tag>{Math.round(n.latency_ms)} ms</Tag>}
                    {n?.tokens ? <Tag>{t('run.tokens', { count: n.tokens })}</Tag> : null}
                  </span>
                ),
                children: <NodeTraceView run={n} />,
              };
            })}
          />
        </div>
      )}
    </Drawer>
  );
}
