import { create } from 'zustand';
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { nodeRole, type CompileProblem, type Graph, type Join } from '@shared/index';
import { createNode, edgeId, fromGraph, toGraph, type FlowEdge, type FlowNode, type GraphMeta } from './graph';
import { deletionImpact, followPortRenames, portRenames, splitEdge, type DeletionImpact } from './edits';
import { checkConnection, type ConnectionAttempt, type Refusal } from './connect';
import { record, redo, undo, type History } from './history';
import { copySelection, pasteClip, type Clip } from './clipboard';

type Snapshot = { nodes: FlowNode[]; edges: FlowEdge[] };
export type SaveState = 'saved' | 'unsaved' | 'saving' | 'error' | 'conflict';

export interface EditorState {
  scenarioId: string | null;
  meta: GraphMeta;
  revision: number | undefined;
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Bumped on every change to the graph, so autosave and compile know when to act. */
  seq: number;
  saveState: SaveState;
  problems: CompileProblem[];
  history: History<Snapshot>;
  lastCheckpoint: { key: string; at: number } | null;
  clip: Clip | null;
  /** The signed-in role may not edit drafts: the graph is shown, every change is ignored and nothing is saved. */
  readOnly: boolean;

  setReadOnly(readOnly: boolean): void;
  load(id: string, graph: Graph, revision: number | undefined): void;
  replaceGraph(graph: Graph): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  /** The wire made last by `connect`: drawn above the nodes, so it never hides behind one. */
  freshEdge: string | null;

  /** Adds a wire; `join` also sets how the target's input combines several wires (asked of the user first). */
  connect(c: ConnectionAttempt, join?: Join): Refusal | null;
  /** Sets how several wires into a node's input combine. */
  setJoin(id: string, join: Join): void;
  /** Marks a node to run only in a live call session's final run (`final_only`), or not. */
  setFinalOnly(id: string, on: boolean): void;
  /** Adds a node, selected; with `from`, also wired from that node's port (one undo step). */
  addNode(kind: string, position: { x: number; y: number }, from?: { source: string; sourceHandle: string } | null): FlowNode | undefined;
  /** Puts a new node of `kind` in the middle of a wire, splitting it; undefined when the kind cannot sit there. */
  insertOnEdge(edgeId: string, kind: string): FlowNode | undefined;
  /** What deleting the selection would break (wires to kept nodes, references to its outputs). */
  selectionImpact(): DeletionImpact & { nodes: string[] };
  updateConfig(id: string, config: Record<string, unknown>): void;
  renameNode(id: string, name: string): void;
  setMeta(meta: Partial<GraphMeta>): void;
  deleteSelected(): number;
  copy(): number;
  paste(): number;
  undo(): void;
  redo(): void;
  /** Saves the current state for undo; `key` groups a burst of edits of one thing into one step. */
  checkpoint(key?: string): void;
  setPositions(positions: Map<string, { x: number; y: number }>): void;
  select(nodeId: string | null): void;
  setProblems(problems: CompileProblem[]): void;
  setSaveState(state: SaveState, revision?: number): void;
  graph(): Graph;
}

const emptyHistory: History<Snapshot> = { past: [], future: [] };

/** The canvas store: serializable nodes and edges plus the editing state around them. */
export const useEditor = create<EditorState>()((set, get) => {
  /** Applies a graph change: records it for autosave and compile (none in read-only mode: the server would refuse the save). */
  const changed = (patch: Partial<EditorState>) => {
    if (get().readOnly) return;
    set((s) => ({ ...patch, seq: s.seq + 1, saveState: s.saveState === 'conflict' ? 'conflict' : 'unsaved' }));
  };

  return {
    scenarioId: null,
    meta: { name: '' },
    revision: undefined,
    nodes: [],
    edges: [],
    seq: 0,
    saveState: 'saved',
    problems: [],
    history: emptyHistory,
    lastCheckpoint: null,
    clip: null,
    readOnly: false,
    freshEdge: null,

    setReadOnly(readOnly) {
      set({ readOnly });
    },
    load(id, graph, revision) {
      const { nodes, edges, meta } = fromGraph(graph);
      set({ scenarioId: id, nodes, edges, meta, revision, seq: 0, saveState: 'saved', problems: [], history: emptyHistory, lastCheckpoint: null });
    },
    replaceGraph(graph) {
      get().checkpoint();
      const { nodes, edges, meta } = fromGraph(graph);
      changed({ nodes, edges, meta: { ...meta } });
    },
    onNodesChange(changes) {
      const meaningful = changes.some((c) => c.type === 'position' || c.type === 'remove' || c.type === 'add' || c.type === 'replace');
      const nodes = applyNodeChanges(changes, get().nodes);
      if (meaningful) changed({ nodes });
      else set({ nodes });
    },
    onEdgesChange(changes) {
      const edges = applyEdgeChanges(changes, get().edges);
      if (changes.some((c) => c.type === 'remove' || c.type === 'add')) changed({ edges });
      else set({ edges });
    },
    connect(c, join) {
      const { nodes, edges } = get();
      const refusal = checkConnection(nodes, edges, c);
      if (refusal) return refusal;
      get().checkpoint();
      const sourcePort = c.sourceHandle ?? 'out';
      const targetPort = c.targetHandle ?? 'in';
      const edge: FlowEdge = { id: edgeId(c.source, sourcePort, c.target, targetPort), source: c.source, sourceHandle: sourcePort, target: c.target, targetHandle: targetPort };
      const joined = join ? nodes.map((n) => (n.id === c.target ? { ...n, data: { ...n.data, join } } : n)) : nodes;
      changed({ nodes: joined, edges: [...edges, edge], freshEdge: edge.id });
      return null;
    },
    setJoin(id, join) {
      get().checkpoint();
      changed({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, join } } : n)) });
    },
    setFinalOnly(id, on) {
      get().checkpoint();
      changed({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, finalOnly: on || undefined } } : n)) });
    },
    addNode(kind, position, from) {
      const { nodes, edges } = get();
      const node = createNode(kind, position, new Set(nodes.map((n) => n.id)));
      if (!node) return undefined;
      get().checkpoint();
      const added = [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
      const wire = from && !checkConnection(added, edges, { ...from, target: node.id, targetHandle: 'in' }) ? from : null;
      const edge: FlowEdge | null = wire && { id: edgeId(wire.source, wire.sourceHandle, node.id, 'in'), source: wire.source, sourceHandle: wire.sourceHandle, target: node.id, targetHandle: 'in' };
      changed(edge ? { nodes: added, edges: [...edges, edge], freshEdge: edge.id } : { nodes: added });
      return node;
    },
    insertOnEdge(id, kind) {
      const { nodes, edges } = get();
      const edge = edges.find((e) => e.id === id);
      const source = nodes.find((n) => n.id === edge?.source);
      const target = nodes.find((n) => n.id === edge?.target);
      if (!edge || !source || !target) return undefined;
      // Halfway between the two ends; the node's card is about 220 × 90.
      const position = { x: (source.position.x + target.position.x) / 2, y: (source.position.y + target.position.y) / 2 + 30 };
      const node = createNode(kind, position, new Set(nodes.map((n) => n.id)));
      const split = node && splitEdge(edges, edge, node);
      if (!node || !split) return undefined;
      get().checkpoint();
      changed({ nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node], edges: split });
      return node;
    },
    selectionImpact() {
      const { nodes, edges } = get();
      const gone = new Set(nodes.filter((n) => n.selected && nodeRole(n.data.kind) !== 'entry').map((n) => n.id));
      return { nodes: [...gone], ...deletionImpact(nodes, edges, gone) };
    },
    updateConfig(id, config) {
      get().checkpoint(`config:${id}`);
      const { nodes, edges } = get();
      const before = nodes.find((n) => n.id === id);
      // Wires follow a renamed output port (an edited class id), so no wire is left on a port that is gone.
      const renames = before ? portRenames(before.data.kind, before.data.config, config) : new Map<string, string>();
      const patch: Partial<EditorState> = { nodes: nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, config } } : n)) };
      if (renames.size > 0) patch.edges = followPortRenames(edges, id, renames);
      changed(patch);
    },
    renameNode(id, name) {
      get().checkpoint(`name:${id}`);
      changed({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, name: name || undefined } } : n)) });
    },
    setMeta(meta) {
      changed({ meta: { ...get().meta, ...meta } });
    },
    deleteSelected() {
      const { nodes, edges } = get();
      const gone = new Set(nodes.filter((n) => n.selected && nodeRole(n.data.kind) !== 'entry').map((n) => n.id));
      const keptEdges = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
      const count = gone.size + (edges.length - keptEdges.length);
      if (count === 0) return 0;
      get().checkpoint();
      changed({ nodes: nodes.filter((n) => !gone.has(n.id)), edges: keptEdges });
      return gone.size;
    },
    copy() {
      const clip = copySelection(get().nodes, get().edges);
      if (clip.nodes.length > 0) set({ clip });
      return clip.nodes.length;
    },
    paste() {
      const { clip } = get();
      if (!clip || clip.nodes.length === 0) return 0;
      get().checkpoint();
      const result = pasteClip(clip, get().nodes);
      // A second paste lands further along, not on top of the first.
      set({ clip: { nodes: result.added.map((n) => ({ ...n, selected: false })), edges: result.addedEdges } });
      changed({ nodes: result.nodes, edges: [...get().edges.map((e) => ({ ...e, selected: false })), ...result.edges] });
      return result.added.length;
    },
    undo() {
      const { nodes, edges, history } = get();
      const step = undo(history, { nodes, edges });
      if (step) changed({ ...step.state, history: step.history, lastCheckpoint: null });
    },
    redo() {
      const { nodes, edges, history } = get();
      const step = redo(history, { nodes, edges });
      if (step) changed({ ...step.state, history: step.history, lastCheckpoint: null });
    },
    checkpoint(key) {
      const { nodes, edges, history, lastCheckpoint } = get();
      const now = Date.now();
      if (key && lastCheckpoint?.key === key && now - lastCheckpoint.at < 1500) {
        set({ lastCheckpoint: { key, at: now } });
        return;
      }
      set({ history: record(history, { nodes, edges }), lastCheckpoint: key ? { key, at: now } : null });
    },
    setPositions(positions) {
      get().checkpoint();
      changed({ nodes: get().nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) });
    },
    select(nodeId) {
      set({
        nodes: get().nodes.map((n) => (n.selected === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })),
        edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      });
    },
    setProblems(problems) {
      set({ problems });
    },
    setSaveState(saveState, revision) {
      set(revision === undefined ? { saveState } : { saveState, revision });
    },
    graph() {
      const { nodes, edges, meta } = get();
      return toGraph(nodes, edges, meta);
    },
  };
});
