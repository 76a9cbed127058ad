import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { Alert, App, Button, Spin, Tabs } from 'antd';
import { CloudUploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useCan } from '../auth/store';
import { Canvas } from '../editor/Canvas';
import { Inspector, type InspectorView } from '../editor/Inspector';
import { KeepPanelStyles } from '../editor/KeepPanelStyles';
import { Palette } from '../editor/Palette';
import { Problems } from '../editor/Problems';
import { Toolbar } from '../editor/Toolbar';
import { useEditor } from '../editor/store';
import { useAutosave, useLiveValidation } from '../editor/use-sync';
import { RunPanel } from '../run/RunPanel';
import { useRun } from '../run/run-store';
import { ApiPanel } from '../publish/ApiPanel';
import { PublishDialog } from '../publish/PublishDialog';
import { usePublication } from '../publish/store';
import { VersionsPanel } from '../publish/VersionsPanel';
import { apiErrorText } from '../i18n/api-error-text';
import { DraftDiffTag } from '../publish/DraftDiffTag';

// The run log draws charts (echarts): loaded only when its tab is opened.
const LogsPanel = lazy(() => import('../runs-log/LogsPanel'));

type SideTab = 'node' | 'run' | 'versions' | 'api' | 'logs';
const SIDE_TABS: SideTab[] = ['node', 'run', 'versions', 'api', 'logs'];

/** Autosave, in a leaf of its own so a change does not re-render the page. */
function Sync() {
  useAutosave();
  return null;
}

/** Live validation compiles on the server, which takes `scenarios:test`: only for roles that hold it. */
function Validate() {
  useLiveValidation();
  return null;
}

/**
 * Clicking a node after a run shows what it did; clicking during editing shows its config. Its own
 * component, so that selecting a node re-renders this and the inspector, not the whole editor (palette,
 * toolbar, problems, every side tab): the panel shows sooner (issue 13, `npm run bench:panel`).
 */
function FollowSelection({ onSelect }: { onSelect(view: InspectorView): void }) {
  const selectedId = useEditor((s) => s.nodes.find((n) => n.selected)?.id);
  const latest = useRef(onSelect);
  latest.current = onSelect;
  useEffect(() => {
    if (selectedId) latest.current(useRun.getState().status !== 'idle' ? 'result' : 'config');
  }, [selectedId]);
  return null;
}

function Editor() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<SideTab>('node');
  const [publishing, setPublishing] = useState(false);
  const scenarioId = useEditor((s) => s.scenarioId);
  const liveVersion = usePublication((s) => s.publication?.live_version ?? null);
  const [view, setView] = useState<InspectorView>('config');
  const { fitView } = useReactFlow();
  const readOnly = useEditor((s) => s.readOnly);
  const canTest = useCan('scenarios:test');
  const canPublish = useCan('scenarios:publish');

  useEffect(() => {
    if (scenarioId) void usePublication.getState().load(scenarioId);
  }, [scenarioId]);

  useEffect(() => {
    const id = setTimeout(() => void fitView({ padding: 0.2, maxZoom: 1.2 }), 50);
    return () => clearTimeout(id);
  }, [fitView]);

  return (
    <div className="mf-editor">
      <Sync />
      <KeepPanelStyles />
      <FollowSelection onSelect={(v) => {
        setTab('node');
        setView(v);
      }} />
      {canTest && <Validate />}
      {!readOnly && <Palette />}
      <div className="mf-canvas-col">
        <Toolbar
          onRun={() => setTab('run')}
          extra={
            <>
              <DraftDiffTag />
              {canPublish ? (
                <Button size="small" icon={<CloudUploadOutlined />} onClick={() => setPublishing(true)} data-testid="publish-open">
                  {t('publish.button')}
                  {liveVersion !== null && <span className="mf-live-badge">v{liveVersion}</span>}
                </Button>
              ) : (
                liveVersion !== null && <span className="mf-live-badge" data-testid="live-version">v{liveVersion}</span>
              )}
            </>
          }
        />
        <div className="mf-canvas">
          <Canvas />
        </div>
        {canTest && <Problems />}
      </div>
      <div className="mf-side nokey" data-testid="side-panel">
        <Tabs
          activeKey={tab}
          size="small"
          tabBarGutter={18}
          onChange={(k) => setTab(SIDE_TABS.find((x) => x === k) ?? 'node')}
          items={[
            { key: 'node', label: t('editor.nodeTab'), children: <Inspector view={view} onView={setView} onTestRun={() => setTab('run')} /> },
            { key: 'run', label: t('run.title'), children: <RunPanel /> },
            { key: 'versions', label: <span data-testid="tab-versions">{t('versions.tab')}</span>, children: scenarioId && <VersionsPanel scenarioId={scenarioId} onPublish={() => setPublishing(true)} /> },
            { key: 'api', label: <span data-testid="tab-api">{t('api.tab')}</span>, children: <ApiPanel onPublish={() => setPublishing(true)} /> },
            {
              key: 'logs',
              label: <span data-testid="tab-logs">{t('logs.tab')}</span>,
              children: scenarioId && (
                <Suspense fallback={<Spin />}>
                  <LogsPanel scenarioId={scenarioId} />
                </Suspense>
              ),
            },
          ]}
        />
      </div>
      {canPublish && <PublishDialog open={publishing} onClose={() => setPublishing(false)} onShowApi={() => setTab('api')} />}
    </div>
  );
}

/** The canvas page of one scenario: loads it, then edits, validates, autosaves and test-runs it. */
export default function EditorPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const canWrite = useCan('scenarios:write');
  // Before the load below (effects run in order): a read-only role's editor never records a change.
  useEffect(() => {
    useEditor.getState().setReadOnly(!canWrite);
  }, [canWrite]);
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
        message.error(apiErrorText(error));
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
