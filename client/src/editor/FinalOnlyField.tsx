import { Checkbox, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { getNodeDefinition } from '@shared/index';
import { useEditor } from './store';

/**
 * 仅在通话结束时运行 in the inspector: the graph's `final_only` — in a live call session the node (and what
 * waits for it) runs only in the final run on the whole call, never in the updates while the call goes on.
 * Not offered on the start and end nodes, which every run needs.
 */
export function FinalOnlyField({ id, kind }: { id: string; kind: string }) {
  const { t } = useTranslation();
  const on = useEditor((s) => s.nodes.find((n) => n.id === id)?.data.finalOnly === true);
  const role = getNodeDefinition(kind)?.role;
  if (role === 'entry' || role === 'exit' || role === undefined) return null;
  return (
    <Form.Item extra={t('canvas.finalOnlyHelp')} style={{ marginBottom: 12 }}>
      <Checkbox checked={on} onChange={(e) => useEditor.getState().setFinalOnly(id, e.target.checked)} data-testid="final-only">
        {t('canvas.finalOnly')}
      </Checkbox>
    </Form.Item>
  );
}
