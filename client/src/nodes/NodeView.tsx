import { memo, useMemo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { Tooltip } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, LoadingOutlined, MinusCircleFilled, WarningFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { getNodeDefinition } from '@shared/index';
import { nodePorts, type FlowEdge, type FlowNode } from '../editor/graph';
import { problemText } from '../i18n/problem-text';
import { warningText } from '../i18n/run-error-text';
import { useEditor } from '../editor/store';
import { useRun } from '../run/run-store';
import { CATEGORY_COLORS, clientNode } from './index';

const RUN_ICONS = {
  running: <LoadingOutlined style={{ color: '#1677ff' }} />,
  succeeded: <CheckCircleFilled style={{ color: '#52c41a' }} />,
  failed: <CloseCircleFilled style={{ color: '#ff4d4f' }} />,
  skipped: <MinusCircleFilled style={{ color: '#bfbfbf' }} />,
};

const wiresCache = new WeakMap<FlowEdge[], Map<string, number>>();

/** How many wires lead into each node, counted once per edges array (every card asks on every store change). */
function wiresInto(edges: FlowEdge[]): Map<string, number> {
  let counts = wiresCache.get(edges);
  if (!counts) {
    counts = new Map();
    for (const e of edges) counts.set(e.target, (counts.get(e.target) ?? 0) + 1);
    wiresCache.set(edges, counts);
  }
  return counts;
}

/** One card on the canvas: kind, name, config summary, a handle per port, problems and run state. */
function NodeViewImpl({ id, data, selected }: NodeProps<FlowNode>) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  const def = getNodeDefinition(data.kind);
  const ports = useMemo(() => nodePorts(data.kind, data.config), [data.kind, data.config]);
  const summary = useMemo(() => clientNode(data.kind)?.summary(data.config, lang) ?? '', [data.kind, data.config, lang]);
  const allProblems = useEditor((s) => s.problems);
  const problems = useMemo(() => allProblems.filter((p) => p.nodeId === id && !p.edgeId), [allProblems, id]);
  const run = useRun((s) => s.nodes[id]);
  const wiresIn = useEditor((s) => wiresInto(s.edges).get(id) ?? 0);
  const label = def ? def.label[lang] : data.kind;
  const classes = ['mf-node', selected ? 'selected' : '', problems.length > 0 ? 'has-problem' : '', run ? `run-${run.status}` : ''].join(' ');

  const card = (
    <div className={classes} data-testid={`node-${id}`} data-kind={data.kind} data-run={run?.status ?? ''} data-problems={problems.length}>
      <div className="mf-node-head">
        <span className="mf-node-kind" style={{ background: CATEGORY_COLORS[def?.category ?? 'data'] }}>{label}</span>
        <span className="mf-node-name">{data.name || id}</span>
        {run && RUN_ICONS[run.status]}
        {run?.warnings && run.warnings.length > 0 && (
          <Tooltip title={run.warnings.map((w) => warningText(w, t)).join('\n')}>
            <WarningFilled style={{ color: '#fa8c16' }} data-testid={`node-warning-${id}`} />
          </Tooltip>
        )}
      </div>
      {wiresIn > 1 && <JoinBadge id={id} join={data.join ?? 'any'} count={wiresIn} />}
      {ports.inputs.map((p, i) => (
        <Handle key={p.id} id={p.id} type="target" position={Position.Left} style={{ top: 16 + i * 20 }} data-testid={`in-${id}-${p.id}`} />
      ))}
      <div className="mf-node-body" title={summary}>{summary || '\u00a0'}</div>
      {ports.outputs.length > 0 && (
        <div className="mf-node-ports">
          {ports.outputs.map((p) => (
            <div key={p.id} className="mf-port-row">
              {ports.outputs.length > 1 ? (p.labels?.[lang] ?? p.label) : ''}
              <Handle id={p.id} type="source" position={Position.Right} data-testid={`out-${id}-${p.id}`} />
            </div>
          ))}
        </div>
      )}
      {run && run.status !== 'running' && (
        <div className="mf-run" data-testid={`run-${id}`}>
          <span>{t(`run.status.${run.status}`)}</span>
          {run.latency_ms !== undefined && <span>{t('run.latency', { ms: Math.round(run.latency_ms) })}</span>}
          {run.tokens ? <span>{t('run.tokens', { count: run.tokens })}</span> : null}
          {run.branch && run.branch.length > 0 && <span>→ {run.branch.join(', ')}</span>}
        </div>
      )}
    </div>
  );
  // Always wrapped, so the card is not remounted when a problem comes or goes.
  return (
    <Tooltip title={problems.length > 0 ? problems.map((p) => problemText(p, t, i18n)).join('\n') : undefined} color="red">
      {card}
    </Tooltip>
  );
}

/** How the node's several incoming wires combine (any / all), at its input; a click switches it. */
function JoinBadge({ id, join, count }: { id: string; join: 'any' | 'all'; count: number }) {
  const { t } = useTranslation();
  const readOnly = useEditor((s) => s.readOnly);
  const mode = t(join === 'all' ? 'canvas.joinAll' : 'canvas.joinAny');
  return (
    <Tooltip title={t('canvas.joinBadgeTip', { count, mode })}>
      <button
        type="button"
        className={`mf-join nodrag ${join}`}
        data-testid={`join-${id}`}
        data-join={join}
        disabled={readOnly}
        onClick={(e) => {
          e.stopPropagation();
          useEditor.getState().setJoin(id, join === 'all' ? 'any' : 'all');
        }}
      >
        {t(join === 'all' ? 'canvas.joinBadgeAll' : 'canvas.joinBadgeAny')}
      </button>
    </Tooltip>
  );
}

export const NodeView = memo(NodeViewImpl);

/** Module-level, so xyflow does not re-mount nodes on every render. */
export const nodeTypes = { mofang: NodeView };
