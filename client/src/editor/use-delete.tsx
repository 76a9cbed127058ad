import { useCallback } from 'react';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { nodePorts } from './graph';
import { shownName } from './JoinDialog';
import { useEditor } from './store';

/**
 * Deletes the selection, first asking when it breaks something beyond itself (wires to nodes that stay,
 * templates that read its outputs) and listing what. Undo restores it either way.
 */
export function useDeleteSelected(): () => void {
  const { t, i18n } = useTranslation();
  const { modal } = App.useApp();
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  return useCallback(() => {
    const s = useEditor.getState();
    if (s.readOnly) return;
    const impact = s.selectionImpact();
    if (impact.nodes.length === 0 || (impact.wires.length === 0 && impact.refs.length === 0)) {
      s.deleteSelected();
      return;
    }
    const name = (id: string) => `“${shownName(id)}”`;
    // A branch's wire says which branch: “来电意图 · 故障报修” → …
    const from = (id: string, port: string) => {
      const node = s.nodes.find((n) => n.id === id);
      const outputs = node ? nodePorts(node.data.kind, node.data.config).outputs : [];
      const p = outputs.length > 1 ? outputs.find((o) => o.id === port) : undefined;
      return p ? `${name(id)} · ${p.labels?.[lang] ?? p.label}` : name(id);
    };
    modal.confirm({
      title: t('canvas.deleteTitle', { names: impact.nodes.map(name).join(lang === 'en' ? ', ' : '、') }),
      width: 480,
      okText: t('canvas.deleteOk'),
      okButtonProps: { danger: true, 'data-testid': 'delete-ok' },
      cancelText: t('canvas.cancel'),
      content: (
        <div data-testid="delete-confirm">
          <p>{t('canvas.deleteIntro')}</p>
          {impact.wires.length > 0 && (
            <>
              <b>{t('canvas.deleteWires', { count: impact.wires.length })}</b>
              <ul data-testid="delete-wires" style={{ margin: '4px 0 8px', paddingLeft: 20 }}>
                {impact.wires.map((w) => (
                  <li key={w.edgeId}>
                    {from(w.source, w.sourcePort)} → {name(w.target)}
                  </li>
                ))}
              </ul>
            </>
          )}
          {impact.refs.length > 0 && (
            <>
              <b>{t('canvas.deleteRefs', { count: impact.refs.length })}</b>
              <ul data-testid="delete-refs" style={{ margin: '4px 0 0', paddingLeft: 20 }}>
                {impact.refs.map((r, i) => (
                  <li key={i}>
                    {name(r.nodeId)} · <code>{`{{ ${r.ref} }}`}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      ),
      onOk: () => void useEditor.getState().deleteSelected(),
    });
  }, [modal, t, lang]);
}
