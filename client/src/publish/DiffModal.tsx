import { useEffect, useState } from 'react';
import { Alert, Empty, List, Modal, Space, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Graph } from '@shared/graph';
import { api } from '../api';
import { publishApi, type GraphDiff } from './api';
import { DiffCanvas } from './DiffCanvas';
import { DIFF_COLORS, showValue } from './diff-flow';
import { errorText } from './http';

export interface DiffRequest {
  from: number;
  to: number | 'draft';
}

interface Loaded {
  older: Graph;
  newer: Graph;
  diff: GraphDiff;
}

async function load(scenarioId: string, req: DiffRequest): Promise<Loaded> {
  const [diff, older, newer] = await Promise.all([
    publishApi.diff(scenarioId, req.from, req.to),
    publishApi.version(scenarioId, req.from).then((v) => v.graph),
    req.to === 'draft' ? api.getScenario(scenarioId).then((s) => s.graph) : publishApi.version(scenarioId, req.to).then((v) => v.graph),
  ]);
  return { older, newer, diff };
}

function Legend() {
  const { t } = useTranslation();
  return (
    <Space size={4}>
      {(['added', 'changed', 'removed'] as const).map((m) => (
        <Tag key={m} style={{ borderColor: DIFF_COLORS[m].border, background: DIFF_COLORS[m].background }}>{t(`versions.mark.${m}`)}</Tag>
      ))}
    </Space>
  );
}

/** Two versions (or a version and the draft) side by side: the canvas of the newer one with the changes drawn, and the changed fields. */
export function DiffModal({ scenarioId, request, onClose }: { scenarioId: string; request: DiffRequest | null; onClose(): void }) {
  const { t } = useTranslation();
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [focus, setFocus] = useState<string | null>(null);

  useEffect(() => {
    if (!request) return;
    let live = true;
    setData(null);
    setError(null);
    setFocus(null);
    load(scenarioId, request).then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [scenarioId, request]);

  const label = (v: number | 'draft') => (v === 'draft' ? t('versions.draft') : `v${v}`);
  const d = data?.diff;
  const total = d ? d.nodes.added.length + d.nodes.removed.length + d.nodes.changed.length + d.edges.added.length + d.edges.removed.length : 0;
  const changed = d ? d.nodes.changed.filter((n) => !focus || n.id === focus) : [];
  const nameOf = (id: string) => data?.newer.nodes.find((n) => n.id === id)?.name ?? id;

  return (
    <Modal open={request !== null} onCancel={onClose} footer={null} width="92vw" style={{ top: 24 }} title={request ? t('versions.diffTitle', { from: label(request.from), to: label(request.to) }) : ''} destroyOnHidden>
      {error && <Alert type="error" showIcon message={error} />}
      {!data && !error && <Spin style={{ margin: 48 }} />}
      {data && d && (
        <div className="mf-diff" data-testid="version-diff">
          <div className="mf-diff-canvas">
            <DiffCanvas older={data.older} newer={data.newer} diff={d} onNode={(id) => setFocus((f) => (f === id ? null : id))} />
          </div>
          <div className="mf-diff-side">
            <Legend />
            {total === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('versions.noDiff')} />}
            {d.nodes.added.length > 0 && (
              <p>
                <Typography.Text strong>{t('versions.addedNodes')}: </Typography.Text>
                {d.nodes.added.map((n) => <Tag color="green" key={n.id}>{n.name ?? n.id}</Tag>)}
              </p>
            )}
            {d.nodes.removed.length > 0 && (
              <p>
                <Typography.Text strong>{t('versions.removedNodes')}: </Typography.Text>
                {d.nodes.removed.map((n) => <Tag color="red" key={n.id}>{n.name ?? n.id}</Tag>)}
              </p>
            )}
            {d.edges.added.length + d.edges.removed.length > 0 && (
              <p>
                <Typography.Text strong>{t('versions.edges')}: </Typography.Text>
                {d.edges.added.map((e) => <Tag color="green" key={`+${e.id}`}>+ {e.source} → {e.target}</Tag>)}
                {d.edges.removed.map((e) => <Tag color="red" key={`-${e.id}`}>− {e.source} → {e.target}</Tag>)}
              </p>
            )}
            {changed.length > 0 && (
              <List
                size="small"
                header={<Typography.Text strong>{t('versions.changedFields')}{focus ? ` · ${nameOf(focus)}` : ''}</Typography.Text>}
                dataSource={changed.flatMap((n) => n.fields.map((f) => ({ key: `${n.id}:${f.path}`, node: n.id, ...f })))}
                data-testid="diff-fields"
                renderItem={(f) => (
                  <List.Item key={f.key} style={{ display: 'block' }}>
                    <div><Tag color="gold">{nameOf(f.node)}</Tag><Typography.Text code>{f.path}</Typography.Text></div>
                    <div className="mf-diff-values">
                      <Typography.Text delete type="danger">{showValue(f.before)}</Typography.Text>
                      <span> → </span>
                      <Typography.Text type="success">{showValue(f.after)}</Typography.Text>
                    </div>
                  </List.Item>
                )}
              />
            )}
          </div>
        </div>
      )}
    </Modal>
  );
}
