import { useMemo, useState } from 'react';
import { Input, Typography } from 'antd';
import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { nodeDefinitions } from '@shared/index';
import type { NodeCategory } from '@shared/nodes/kit';
import { CATEGORY_COLORS } from '../nodes/index';
import { DRAG_MIME } from './Canvas';
import { autoConnectFrom } from './edits';
import { useEditor } from './store';

const ORDER: NodeCategory[] = ['io', 'ai', 'logic', 'data', 'integration'];

/** Node kinds grouped by category, searchable; drag one onto the canvas or click to add it (wired from the selected node). */
export function Palette() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  const [q, setQ] = useState('');
  const { screenToFlowPosition } = useReactFlow();
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const defs = Object.values(nodeDefinitions).filter(
      (d) => !needle || [d.kind, d.label.zh, d.label.en, d.description.zh, d.description.en].some((s) => s.toLowerCase().includes(needle)),
    );
    return ORDER.map((cat) => ({ cat, defs: defs.filter((d) => d.category === cat) })).filter((g) => g.defs.length > 0);
  }, [q]);

  // With one node selected the new one goes to its right, wired from it (its first free output);
  // otherwise it lands in the middle of the view.
  const add = (kind: string) => {
    const s = useEditor.getState();
    const selected = s.nodes.filter((n) => n.selected);
    const from = selected.length === 1 ? autoConnectFrom(s.nodes, s.edges, selected[0].id) : null;
    if (from) {
      const source = selected[0];
      const siblings = s.edges.filter((e) => e.source === source.id).length;
      s.addNode(kind, { x: source.position.x + (source.measured?.width ?? 220) + 80, y: source.position.y + siblings * 110 }, from);
      return;
    }
    const el = document.querySelector('.react-flow');
    const box = el?.getBoundingClientRect();
    const pos = box ? screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    const jitter = (s.nodes.length % 5) * 24;
    s.addNode(kind, { x: pos.x - 100 + jitter, y: pos.y - 30 + jitter });
  };

  return (
    <div className="mf-palette" data-testid="palette">
      <Input.Search size="small" allowClear placeholder={t('editor.paletteSearch')} value={q} onChange={(e) => setQ(e.target.value)} />
      <Typography.Text type="secondary" style={{ fontSize: 11, display: 'block', margin: '6px 0' }}>{t('editor.dragHint')}</Typography.Text>
      {groups.map((g) => (
        <div key={g.cat} style={{ marginBottom: 8 }}>
          <div style={{ fontSize: 12, fontWeight: 600, color: CATEGORY_COLORS[g.cat], margin: '8px 0 2px' }}>{t(`category.${g.cat}`)}</div>
          {g.defs.map((d) => (
            <div
              key={d.kind}
              className="mf-palette-item"
              draggable
              data-testid={`palette-${d.kind}`}
              onDragStart={(e) => {
                e.dataTransfer.setData(DRAG_MIME, d.kind);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => add(d.kind)}
              title={d.description[lang]}
            >
              <div>{d.label[lang]}</div>
              <div className="desc">{d.description[lang]}</div>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
