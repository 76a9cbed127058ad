import { useReactFlow } from '@xyflow/react';
import { CheckCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { problemText } from '../i18n/problem-text';
import { useEditor } from './store';

/** Every compile problem; clicking one selects its node (or an edge's source) and centres it. */
export function Problems() {
  const { t, i18n } = useTranslation();
  const problems = useEditor((s) => s.problems);
  const { setCenter, getZoom } = useReactFlow();
  const focus = (nodeId: string | undefined, edgeId: string | undefined) => {
    const s = useEditor.getState();
    const id = nodeId ?? s.edges.find((e) => e.id === edgeId)?.source;
    const node = s.nodes.find((n) => n.id === id);
    if (!node) return;
    s.select(node.id);
    const w = node.measured?.width ?? 220;
    const h = node.measured?.height ?? 90;
    void setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: Math.max(getZoom(), 1), duration: 300 });
  };
  return (
    <div className="mf-problems" data-testid="problems">
      {problems.length === 0 ? (
        <span style={{ color: '#52c41a' }}>
          <CheckCircleOutlined /> {t('editor.noProblems')}
        </span>
      ) : (
        <>
          <div style={{ fontWeight: 600, color: '#cf1322' }}>
            <WarningOutlined /> {t('editor.problems', { count: problems.length })}
          </div>
          {problems.map((p, i) => (
            <div key={i} className="mf-problem" onClick={() => focus(p.nodeId, p.edgeId)} data-testid="problem">
              <code>{p.nodeId ?? p.edgeId ?? ''}</code> {p.field ? <code>{p.field}</code> : null} {problemText(p, t, i18n)}
            </div>
          ))}
        </>
      )}
    </div>
  );
}
