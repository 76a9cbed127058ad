import { memo, useMemo } from 'react';
import type { GraphPreview as Preview } from '@shared/template-api';

/** Node colours by kind, so a thumbnail reads at a glance (unknown kinds are grey). */
const KIND_COLORS: Record<string, string> = {
  start: '#52c41a',
  end: '#8c8c8c',
  llm: '#722ed1',
  classify: '#fa8c16',
  extract: '#13c2c2',
  audit: '#eb2f96',
  condition: '#faad14',
  merge: '#2f54eb',
  template: '#1677ff',
  code: '#595959',
  http: '#a0d911',
};

/** A thumbnail node's box in graph units (the canvas's coordinates). */
export const PREVIEW_NODE = { width: 140, height: 32 } as const;
const PAD = 24;

/** The SVG path of a wire from a node's right edge to another's left edge, as the canvas draws it. */
function wirePath(from: { x: number; y: number }, to: { x: number; y: number }): string {
  const x1 = from.x + PREVIEW_NODE.width;
  const y1 = from.y + PREVIEW_NODE.height / 2;
  const x2 = to.x;
  const y2 = to.y + PREVIEW_NODE.height / 2;
  const bend = Math.max(40, Math.abs(x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
}

/**
 * The thumbnail's view box (every node with a margin) and its wires. Pure, computed once per preview.
 * Wires whose ends are not among the nodes are left out.
 */
export function previewLayout(preview: Preview): { viewBox: string; wires: Array<{ id: string; d: string }> } {
  const byId = new Map(preview.nodes.map((n) => [n.id, n]));
  const xs = preview.nodes.map((n) => n.x);
  const ys = preview.nodes.map((n) => n.y);
  const minX = xs.length ? Math.min(...xs) : 0;
  const minY = ys.length ? Math.min(...ys) : 0;
  const width = (xs.length ? Math.max(...xs) - minX : 0) + PREVIEW_NODE.width + 2 * PAD;
  const height = (ys.length ? Math.max(...ys) - minY : 0) + PREVIEW_NODE.height + 2 * PAD;
  const wires = preview.edges.flatMap((e) => {
    const from = byId.get(e.source);
    const to = byId.get(e.target);
    return from && to ? [{ id: e.id, d: wirePath(from, to) }] : [];
  });
  return { viewBox: `${minX - PAD} ${minY - PAD} ${width} ${height}`, wires };
}

/**
 * A read-only thumbnail of a template's graph, drawn as one SVG scaled to fit its box: each node a box
 * coloured by kind with its name, each wire a curve. No canvas library: the gallery stays light.
 */
export const GraphPreview = memo(function GraphPreview({ preview, height = 160, testId }: { preview: Preview; height?: number; testId?: string }) {
  const { viewBox, wires } = useMemo(() => previewLayout(preview), [preview]);
  return (
    <div style={{ height, background: '#fafafa', borderRadius: 6 }} data-testid={testId}>
      <svg width="100%" height="100%" viewBox={viewBox} preserveAspectRatio="xMidYMid meet" aria-hidden="true" style={{ display: 'block' }}>
        {wires.map((w) => (
          <path key={w.id} d={w.d} fill="none" stroke="#b1b1b7" strokeWidth={1.5} data-preview-edge={w.id} />
        ))}
        {preview.nodes.map((n) => (
          // A nested <svg> clips a long name to its box.
          <svg key={n.id} x={n.x} y={n.y} width={PREVIEW_NODE.width} height={PREVIEW_NODE.height} data-preview-node={n.id}>
            <rect x={0.5} y={0.5} width={PREVIEW_NODE.width - 1} height={PREVIEW_NODE.height - 1} rx={4} fill="#fff" stroke={KIND_COLORS[n.kind] ?? "#bfbfbf"} />
            <rect x={0.5} y={0.5} width={4} height={PREVIEW_NODE.height - 1} fill={KIND_COLORS[n.kind] ?? '#bfbfbf'} />
            <text x={12} y={PREVIEW_NODE.height / 2} dominantBaseline="central" fontSize={12} fill="rgba(0,0,0,.85)">
              {n.name ?? n.id}
            </text>
          </svg>
        ))}
      </svg>
    </div>
  );
});
