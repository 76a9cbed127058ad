import { useEffect, useState } from 'react';
import { Tag, Tooltip } from 'antd';
import { DiffOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useEditor } from '../editor/store';
import { DiffModal } from './DiffModal';
import { usePublication } from './store';

/**
 * "草稿与线上版本 vN 不同": shown in the editor's toolbar while the saved draft compiles to another plan
 * than the live version (the server's `draft_changed`, checked again after every save); one click
 * opens the diff of the live version against the draft (nodes, their changed settings, wires).
 */
export function DraftDiffTag() {
  const { t } = useTranslation();
  const scenarioId = useEditor((s) => s.scenarioId);
  const revision = useEditor((s) => s.revision);
  const live = usePublication((s) => s.publication?.live_version ?? null);
  const differs = usePublication((s) => s.publication?.draft_changed === true);
  const [open, setOpen] = useState(false);

  // Each save makes a new revision: ask again whether the draft still differs from the live version.
  useEffect(() => {
    if (!scenarioId || revision === undefined) return;
    const timer = setTimeout(() => void usePublication.getState().load(scenarioId), 300);
    return () => clearTimeout(timer);
  }, [scenarioId, revision]);

  if (!scenarioId || live === null) return null;
  return (
    <>
      {differs && (
        <Tooltip title={t('draft.tip')} placement="bottom">
          <Tag color="gold" icon={<DiffOutlined />} style={{ cursor: 'pointer', marginInlineEnd: 0 }} onClick={() => setOpen(true)} data-testid="draft-differs">
            {t('draft.differs', { version: live })}
          </Tag>
        </Tooltip>
      )}
      <DiffModal scenarioId={scenarioId} request={open ? { from: live, to: 'draft' } : null} onClose={() => setOpen(false)} />
    </>
  );
}
