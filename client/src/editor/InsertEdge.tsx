import { memo, useMemo, useRef, useState } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { Popover, Tooltip } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { nodeDefinitions } from '@shared/index';
import { CATEGORY_COLORS } from '../nodes/index';
import { insertableKinds } from './edits';
import { useEditor } from './store';

/** The kinds offered by "+" on a wire, in palette order. */
const KINDS = insertableKinds(Object.keys(nodeDefinitions));

/**
 * A wire with a "+" at its middle, shown while the pointer is on the wire or the wire is selected:
 * choosing a kind puts a new node of it in the middle of the wire.
 */
function InsertEdgeImpl(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, style, markerEnd, label, interactionWidth } = props;
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  const readOnly = useEditor((s) => s.readOnly);
  const [hover, setHover] = useState(false);
  const [open, setOpen] = useState(false);
  const leave = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const enter = () => {
    clearTimeout(leave.current);
    setHover(true);
  };
  // A short grace, so the pointer can travel from the wire onto the button.
  const exit = () => {
    leave.current = setTimeout(() => setHover(false), 300);
  };
  const menu = useMemo(
    () => (
      <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 4, width: 260 }} data-testid="insert-menu">
        {KINDS.map((kind) => {
          const def = nodeDefinitions[kind as keyof typeof nodeDefinitions];
          return (
            <div
              key={kind}
              className="mf-palette-item"
              style={{ margin: 0, cursor: 'pointer', borderLeft: `3px solid ${CATEGORY_COLORS[def.category]}` }}
              data-testid={`insert-${kind}`}
              title={def.description[lang]}
              onClick={() => {
                setOpen(false);
                setHover(false);
                useEditor.getState().insertOnEdge(id, kind);
              }}
            >
              {def.label[lang]}
            </div>
          );
        })}
      </div>
    ),
    [id, lang],
  );
  const shown = !readOnly && (hover || selected || open);
  return (
    <>
      <g onMouseEnter={enter} onMouseLeave={exit}>
        <BaseEdge path={path} style={style} markerEnd={markerEnd} interactionWidth={interactionWidth ?? 20} />
      </g>
      <EdgeLabelRenderer>
        <div
          className="nodrag nopan mf-edge-label"
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          onMouseEnter={enter}
          onMouseLeave={exit}
        >
          {label !== undefined && label !== null && <span className="mf-edge-mark">{label}</span>}
          {shown && (
            <Popover open={open} onOpenChange={setOpen} trigger="click" title={t('canvas.insertTitle')} content={menu} placement="right">
              <Tooltip title={open ? undefined : t('canvas.insertTip')}>
                <button type="button" className="mf-edge-insert" aria-label={t('canvas.insertTip')} data-testid={`insert-on-${id}`}>
                  <PlusOutlined />
                </button>
              </Tooltip>
            </Popover>
          )}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

export const InsertEdge = memo(InsertEdgeImpl);

/** Module-level, so xyflow does not re-mount edges on every render; every wire is an insert edge. */
export const edgeTypes = { default: InsertEdge };
