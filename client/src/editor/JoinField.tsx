import { Radio, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Field } from '../nodes/form';
import { useEditor } from './store';

/**
 * 汇合方式 in the inspector: when two or more wires lead into the node, which of them must have run for it
 * to run — any (the default) or all — the graph's `join` field, the same choice as the node's badge and
 * the dialog shown when the second wire is drawn. Renders nothing with fewer than two wires in.
 */
export function JoinField({ id }: { id: string }) {
  const { t } = useTranslation();
  const count = useEditor((s) => s.edges.reduce((n, e) => (e.target === id ? n + 1 : n), 0));
  const join = useEditor((s) => s.nodes.find((n) => n.id === id)?.data.join ?? 'any');
  if (count < 2) return null;
  return (
    <Field label={t('canvas.joinField')} help={t('canvas.joinFieldHelp', { count })} testId="join-field">
      <Radio.Group value={join} onChange={(e) => useEditor.getState().setJoin(id, e.target.value === 'all' ? 'all' : 'any')} data-testid="join-choice">
        <Space direction="vertical" size={4}>
          {(['any', 'all'] as const).map((mode) => (
            <Radio key={mode} value={mode} data-testid={`join-choice-${mode}`}>
              {t(mode === 'all' ? 'canvas.joinAll' : 'canvas.joinAny')}
              <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                {t(mode === 'all' ? 'canvas.joinAllHelp' : 'canvas.joinAnyHelp')}
              </Typography.Text>
            </Radio>
          ))}
        </Space>
      </Radio.Group>
    </Field>
  );
}
