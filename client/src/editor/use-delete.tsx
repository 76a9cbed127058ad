import { useCallback } from 'react';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { shownName } from './JoinDialog';
import { useEditor } from './store';

/**
 * Deletes the selection, first asking when it breaks something beyond itself (wires to nodes that stay,
 * templates that read its outputs) and listing what. Undo restores it either way.
 */
export function useDeleteSelected(): () => void {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  return useCallback(() => {
    const s = useEditor.getState();
    if (s.readOnly) return;
    const impact = s.selectionImpact();
    if (impact.nodes.length === 0 || (impact.wires.length === 0 && impact.refs.length === 0)) {
      s.deleteSelected();
      return;
    }
    const name = (id: string) => `“${shownName(id)}”`;
    modal.confirm({
      title: t('canvas.deleteTitle', { names: impact.nodes.map(name).join('、') }),
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
                    {name(w.source)} → {name(w.target)}
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
  }, [modal, t]);
}
