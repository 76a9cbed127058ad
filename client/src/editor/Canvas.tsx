import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type Connection } from '@xyflow/react';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { nodeTypes } from '../nodes/NodeView';
import { useEditor } from './store';
import type { FlowEdge } from './graph';
import { checkConnection } from './connect';
import { autoConnectFrom, incomingWires } from './edits';
import { edgeTypes } from './InsertEdge';
import { JoinDialog, type PendingJoin } from './JoinDialog';
import { useDeleteSelected } from './use-delete';

export const DRAG_MIME = 'application/x-mofang-kind';

// The canvas's fixed settings, made once: xyflow copies each prop that is a new object into its store,
// and a new `defaultEdgeOptions` on every render (each selection renders the canvas) re-rendered every
// wire (issue 13, `npm run bench:panel`).
const DEFAULT_EDGE_OPTIONS = { style: { strokeWidth: 1.5 } };
const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1.2 };
const PRO_OPTIONS = { hideAttribution: true };
const MULTI_SELECTION_KEYS = ['Meta', 'Control'];
const onNodeDragStart = () => useEditor.getState().checkpoint();
const onDragOver = (e: DragEvent) => {
  e.preventDefault();
  e.dataTransfer.dropEffect = 'move';
};

/** True when a key press belongs to a text field or code editor, not to the canvas. */
function typingInField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || !!target.closest('input, textarea, select, .monaco-editor, [role="combobox"]'));
}

/** The canvas: nodes, edges, drop target for the palette, and keyboard shortcuts. */
export function Canvas() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { screenToFlowPosition } = useReactFlow();
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const problems = useEditor((s) => s.problems);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const readOnly = useEditor((s) => s.readOnly);
  const freshEdge = useEditor((s) => s.freshEdge);
  const [pendingJoin, setPendingJoin] = useState<PendingJoin | null>(null);
  const deleteSelected = useDeleteSelected();

  // A second wire into an input is never silent: it waits for the user to say what it means.
  const onConnect = useCallback(
    (c: Connection) => {
      const s = useEditor.getState();
      const refusal = checkConnection(s.nodes, s.edges, c);
      if (refusal) return void message.warning(t(`connect.${refusal.reason}`, refusal.params));
      const existing = incomingWires(s.edges, c.target, c.targetHandle ?? 'in');
      if (existing.length > 0) setPendingJoin({ connection: c, existing: existing.map((e) => e.source) });
      else s.connect(c);
    },
    [message, t],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const kind = e.dataTransfer.getData(DRAG_MIME);
      if (!kind) return;
      const pos = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const s = useEditor.getState();
      const selected = s.nodes.filter((n) => n.selected);
      // A node dropped while one node is selected is wired from it (its first free output).
      const from = selected.length === 1 ? autoConnectFrom(s.nodes, s.edges, selected[0].id) : null;
      s.addNode(kind, { x: pos.x - 100, y: pos.y - 30 }, from);
    },
    [screenToFlowPosition],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingInField(e.target)) return;
      const s = useEditor.getState();
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      // Read-only: selecting and copying still work; the editing keys do nothing.
      if (s.readOnly && !(mod && (key === 'c' || key === 'a'))) return;
      if (key === 'delete' || key === 'backspace') {
        e.preventDefault();
        deleteSelected();
      } else if (mod && key === 'z' && e.shiftKey) {
        e.preventDefault();
        s.redo();
      } else if (mod && (key === 'z' || key === 'y')) {
        e.preventDefault();
        if (key === 'y') s.redo();
        else s.undo();
      } else if (mod && key === 'c') {
        const n = s.copy();
        if (n > 0) message.info(t('editor.copied', { count: n }));
      } else if (mod && key === 'v') {
        const n = s.paste();
        if (n > 0) message.info(t('editor.pasted', { count: n }));
      } else if (mod && key === 'a') {
        e.preventDefault();
        s.onNodesChange(s.nodes.map((n) => ({ type: 'select', id: n.id, selected: true })));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [message, t, deleteSelected]);

  // Worked out again only when the wires, problems or newest wire change: new wire objects on every
  // render (a selection) would re-render every wire.
  const shownEdges = useMemo(() => {
    const badEdges = new Set(problems.map((p) => p.edgeId).filter((id) => id !== undefined));
    // The newest wire is drawn above the nodes, so a wire just made is never hidden behind a card.
    return badEdges.size === 0 && !freshEdge
      ? edges
      : edges.map((e) => {
          const bad = badEdges.has(e.id);
          if (!bad && e.id !== freshEdge) return e;
          return { ...e, ...(bad ? { style: { stroke: '#ff4d4f', strokeWidth: 2 }, label: '!' } : {}), ...(e.id === freshEdge ? { zIndex: 1001 } : {}) };
        });
  }, [edges, problems, freshEdge]);

  return (
    <>
      <JoinDialog pending={pendingJoin} onDone={() => setPendingJoin(null)} />
      <ReactFlow<typeof nodes[number], FlowEdge>
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={!readOnly}
        onNodeDragStart={onNodeDragStart}
        onDrop={onDrop}
        onDragOver={onDragOver}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={MULTI_SELECTION_KEYS}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.1}
        proOptions={PRO_OPTIONS}
      >
        <Background gap={16} />
        <MiniMap pannable zoomable />
        <Controls showInteractive={false} />
      </ReactFlow>
    </>
  );
}
