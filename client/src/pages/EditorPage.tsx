import { useEffect, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { Alert, App, Spin, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Canvas } from '../editor/Canvas';
import { Inspector, type InspectorView } from '../editor/Inspector';
import { Palette } from '../editor/Palette';
import { Problems } from '../editor/Problems';
import { Toolbar } from '../editor/Toolbar';
import { useEditor } from '../editor/store';
import { useAutosave, useLiveValidation } from '../editor/use-sync';
import { RunPanel } from '../run/RunPanel';
import { useRun } from '../run/run-store';

/** Autosave and live validation, in a leaf of their own so a change does not re-render the page. */
function Sync() {
  useAutosave();
  useLiveValidation();
  return null;
}

function Editor() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'node' | 'run'>('node');
  const [view, setView] = useState<InspectorView>('config');
  const selectedId = useEditor((s) => s.nodes.find((n) => n.selected)?.id);
  const { fitView } = useReactFlow();

  // Clicking a node after a run shows what it did; clicking during editing shows its config.
  useEffect(() => {
    if (!selectedId) return;
    setTab('node');
    setView(useRun.getState().status !== 'idle' ? 'result' : 'config');
  }, [selectedId]);

  useEffect(() => {
    const id = setTimeout(() => void fitView({ padding: 0.2, maxZoom: 1.2 }), 50);
    return () => clearTimeout(id);
  }, [fitView]);

  return (
    <div className="mf-editor">
      <Sync />
      <Palette />
      <div className="mf-canvas-col">
        <Toolbar onRun={() => setTab('run')} />
        <div className="mf-canvas">
          <Canvas />
        </div>
        <Problems />
      </div>
      <div className="mf-side nokey">
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k === 'run' ? 'run' : 'node')}
          items={[
            { key: 'node', label: t('editor.nodeTab'), children: <Inspector view={view} onView={setView} /> },
            { key: 'run', label: t('run.title'), children: <RunPanel /> },
          ]}
        />
      </div>
    </div>
  );
}

/** The canvas page of one scenario: loads it, then edits, validates, autosaves and test-runs it. */
export default function EditorPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  useEffect(() => {
    let live = true;
    useRun.getState().reset();
    api.getScenario(id).then(
      (s) => {
        if (!live) return;
        useEditor.getState().load(s.id, { ...s.graph, name: s.name, description: s.description || undefined }, s.revision);
        setState('ready');
      },
      (error: unknown) => {
        if (!live) return;
        setState('error');
        message.error(error instanceof Error ? error.message : String(error));
      },
    );
    return () => {
      live = false;
    };
  }, [id, message]);
  if (state === 'loading') return <Spin style={{ margin: 48 }} />;
  if (state === 'error') return <Alert style={{ margin: 24 }} type="error" showIcon message={t('editor.loadFailed')} />;
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}
