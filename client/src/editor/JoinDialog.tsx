import { useEffect, useState } from 'react';
import { Modal, Radio, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Join } from '@shared/index';
import type { ConnectionAttempt } from './connect';
import { useEditor } from './store';

/** A wire waiting for the user to say what a second wire into its input means. */
export interface PendingJoin {
  connection: ConnectionAttempt;
  /** Ids of the nodes already wired into that input. */
  existing: string[];
}

/** The name a node is shown by on the canvas: its name, else its id. */
export function shownName(id: string): string {
  return useEditor.getState().nodes.find((n) => n.id === id)?.data.name || id;
}

/**
 * Asks what a second wire into an input means before making it: the target runs when any incoming branch
 * arrives, or only when all of them do. Cancel makes no wire.
 */
export function JoinDialog({ pending, onDone }: { pending: PendingJoin | null; onDone(): void }) {
  const { t, i18n } = useTranslation();
  const list = i18n.language === 'en' ? ', ' : '、';
  const target = pending?.connection.target ?? '';
  const current = useEditor((s) => s.nodes.find((n) => n.id === target)?.data.join);
  const [join, setJoin] = useState<Join>('any');
  useEffect(() => setJoin(current ?? 'any'), [pending, current]);
  if (!pending) return null;
  const quote = (id: string) => `“${shownName(id)}”`;
  return (
    <Modal
      open
      title={t('canvas.joinTitle', { target: shownName(target) })}
      okText={t('canvas.joinOk')}
      cancelText={t('canvas.cancel')}
      onOk={() => {
        useEditor.getState().connect(pending.connection, join);
        onDone();
      }}
      onCancel={onDone}
      okButtonProps={{ 'data-testid': 'join-ok' }}
    >
      <div data-testid="join-dialog">
        <Typography.Paragraph>
          {t('canvas.joinIntro', { target: shownName(target), sources: pending.existing.map(quote).join(list), source: quote(pending.connection.source) })}
        </Typography.Paragraph>
        <Radio.Group value={join} onChange={(e) => setJoin(e.target.value === 'all' ? 'all' : 'any')} data-testid="join-choice">
          <Space direction="vertical">
            {(['any', 'all'] as const).map((j) => (
              <Radio key={j} value={j} data-testid={`join-${j}`}>
                <b>{t(j === 'any' ? 'canvas.joinAny' : 'canvas.joinAll')}</b>
                <div style={{ color: '#8c8c8c', fontSize: 12 }}>{t(j === 'any' ? 'canvas.joinAnyHelp' : 'canvas.joinAllHelp')}</div>
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      </div>
    </Modal>
  );
}
