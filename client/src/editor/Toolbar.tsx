import type { ReactNode } from 'react';
import { App, Button, Input, Space, Tag, Tooltip } from 'antd';
import {
  ArrowLeftOutlined,
  ApartmentOutlined,
  CaretRightOutlined,
  DeleteOutlined,
  DownloadOutlined,
  ExpandOutlined,
  QuestionCircleOutlined,
  RedoOutlined,
  UndoOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/store';
import { navigate } from '../router';
import { downloadGraph, pickJsonFile, readGraphFile } from '../io';
import { apiErrorText } from '../i18n/api-error-text';
import { autoLayout } from './layout';
import { useEditor, type SaveState } from './store';
import { useDeleteSelected } from './use-delete';

const SAVE_COLORS: Record<SaveState, string> = { saved: 'green', saving: 'blue', unsaved: 'orange', error: 'red', conflict: 'red' };
const SAVE_KEYS: Record<SaveState, string> = { saved: 'editor.saved', saving: 'editor.saving', unsaved: 'editor.unsaved', error: 'editor.saveError', conflict: 'editor.conflict' };

/** Name, save state, and the canvas commands (undo, layout, fit, export / import, run); `extra` goes before the run button (publish). */
export function Toolbar({ onRun, extra }: { onRun(): void; extra?: ReactNode }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { fitView } = useReactFlow();
  const name = useEditor((s) => s.meta.name);
  const saveState = useEditor((s) => s.saveState);
  const canUndo = useEditor((s) => s.history.past.length > 0);
  const canRedo = useEditor((s) => s.history.future.length > 0);
  const readOnly = useEditor((s) => s.readOnly);
  const canTest = useCan('scenarios:test');
  const deleteSelected = useDeleteSelected();

  const leave = () => {
    if (useEditor.getState().saveState !== 'saved' && !window.confirm(t('editor.unsavedLeave'))) return;
    navigate({ page: 'list' });
  };
  const layout = async () => {
    const s = useEditor.getState();
    s.setPositions(await autoLayout(s.nodes, s.edges));
    setTimeout(() => void fitView({ padding: 0.2, duration: 300, maxZoom: 1.2 }), 50);
  };
  const importFile = async () => {
    const file = await pickJsonFile();
    if (!file) return;
    const read = await readGraphFile(file);
    if (!read.ok) return void message.error(t('editor.importBad', { reason: apiErrorText(read.error) }));
    useEditor.getState().replaceGraph({ ...read.graph, name: useEditor.getState().meta.name });
    message.success(t('editor.imported'));
    setTimeout(() => void fitView({ padding: 0.2 }), 50);
  };

  return (
    <div className="mf-toolbar">
      <Tooltip title={t('app.back')}>
        <Button size="small" icon={<ArrowLeftOutlined />} onClick={leave} data-testid="back" />
      </Tooltip>
      <Input size="small" value={name} readOnly={readOnly} onChange={(e) => useEditor.getState().setMeta({ name: e.target.value })} style={{ flex: '0 1 220px', minWidth: 80 }} variant="borderless" data-testid="scenario-name" />
      {readOnly ? (
        <Tag data-testid="read-only">{t('editor.readOnly')}</Tag>
      ) : (
        <Tag color={SAVE_COLORS[saveState]} data-testid="save-state" data-state={saveState}>{t(SAVE_KEYS[saveState])}</Tag>
      )}
      <span style={{ flex: 1 }} />
      <Space.Compact size="small">
        {!readOnly && (
          <>
            <Tooltip title={t('editor.undo')}>
              <Button icon={<UndoOutlined />} disabled={!canUndo} onClick={() => useEditor.getState().undo()} data-testid="undo" />
            </Tooltip>
            <Tooltip title={t('editor.redo')}>
              <Button icon={<RedoOutlined />} disabled={!canRedo} onClick={() => useEditor.getState().redo()} data-testid="redo" />
            </Tooltip>
            <Tooltip title={t('editor.delete')}>
              <Button icon={<DeleteOutlined />} onClick={deleteSelected} data-testid="delete" />
            </Tooltip>
            <Tooltip title={t('editor.layout')}>
              <Button icon={<ApartmentOutlined />} onClick={() => void layout()} data-testid="layout" />
            </Tooltip>
          </>
        )}
        <Tooltip title={t('editor.shortcuts')}>
          <Button icon={<QuestionCircleOutlined />} aria-label={t('runForm.shortcutsHelp')} data-testid="shortcuts" />
        </Tooltip>
        <Tooltip title={t('editor.fitView')}>
          <Button icon={<ExpandOutlined />} onClick={() => void fitView({ padding: 0.2, duration: 300, maxZoom: 1.2 })} data-testid="fit-view" />
        </Tooltip>
        <Tooltip title={t('editor.export')}>
          <Button icon={<DownloadOutlined />} onClick={() => downloadGraph(useEditor.getState().graph())} data-testid="export" />
        </Tooltip>
        {!readOnly && (
          <Tooltip title={t('editor.import')}>
            <Button icon={<UploadOutlined />} onClick={() => void importFile()} data-testid="import" />
          </Tooltip>
        )}
      </Space.Compact>
      {extra}
      {canTest && (
        <Tooltip title={t('runForm.openTip')} placement="bottomRight" mouseEnterDelay={0.5}>
          <Button size="small" type="primary" icon={<CaretRightOutlined />} onClick={onRun} data-testid="open-run">
            {t('editor.testRun')}
          </Button>
        </Tooltip>
      )}
    </div>
  );
}
