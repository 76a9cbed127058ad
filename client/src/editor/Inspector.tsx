import { Empty, Form, Input, Segmented, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { getNodeDefinition } from '@shared/index';
import { clientNode } from '../nodes/index';
import { NodeTrace } from '../run/NodeTrace';
import { useRun } from '../run/run-store';
import { RunNodeButton } from '../run/RunNodeButton';
import { problemText } from '../i18n/problem-text';
import { JoinField } from './JoinField';
import { FinalOnlyField } from './FinalOnlyField';
import { useEditor } from './store';

export type InspectorView = 'config' | 'result';

/** The selected node's name, config form, and (after a run) what it did. */
export function Inspector({ view, onView, onTestRun }: { view: InspectorView; onView(v: InspectorView): void; onTestRun(): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  // The id and data only: a node being dragged gets a new position every frame, not new data.
  const [id, data] = useEditor(
    useShallow((s) => {
      const picked = s.nodes.filter((n) => n.selected);
      return picked.length === 1 ? [picked[0].id, picked[0].data] : [];
    }),
  );
  const selected = id !== undefined && data !== undefined ? { id, data } : undefined;
  const problems = useEditor((s) => s.problems);
  const hasRun = useRun((s) => s.status !== 'idle');
  const readOnly = useEditor((s) => s.readOnly);
  if (!selected) return <Empty style={{ marginTop: 48 }} description={t('editor.selectNode')} />;
  const def = getNodeDefinition(selected.data.kind);
  const kit = clientNode(selected.data.kind);
  const mine = problems.filter((p) => p.nodeId === selected.id);
  return (
    <div data-testid="inspector">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {def?.label[lang] ?? selected.data.kind} <Tag>{selected.id}</Tag>
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{def?.description[lang]}</Typography.Paragraph>
      <RunNodeButton nodeId={selected.id} kind={selected.data.kind} onDone={() => onView('result')} onTestRun={onTestRun} />
      {hasRun && (
        <Segmented
          block
          style={{ marginBottom: 12 }}
          value={view}
          onChange={(v) => onView(v === 'result' ? 'result' : 'config')}
          options={[
            { value: 'config', label: t('editor.config') },
            { value: 'result', label: t('editor.result') },
          ]}
        />
      )}
      {hasRun && view === 'result' ? (
        <NodeTrace nodeId={selected.id} />
      ) : (
        <Form layout="vertical" size="small" key={selected.id} disabled={readOnly}>
          {mine.length > 0 && (
            <div style={{ marginBottom: 12 }}>
              {mine.map((p, i) => (
                <div key={i} style={{ color: '#cf1322', fontSize: 12 }}>
                  {p.field ? `${p.field}: ` : ''}
                  {problemText(p, t, i18n)}
                </div>
              ))}
            </div>
          )}
          <Form.Item label={t('editor.nodeName')} style={{ marginBottom: 12 }}>
            <Input value={selected.data.name ?? ''} placeholder={selected.id} onChange={(e) => useEditor.getState().renameNode(selected.id, e.target.value)} data-testid="node-name" />
          </Form.Item>
          <JoinField id={selected.id} />
          <FinalOnlyField id={selected.id} kind={selected.data.kind} />
          {kit && <kit.Panel id={selected.id} />}
        </Form>
      )}
    </div>
  );
}
