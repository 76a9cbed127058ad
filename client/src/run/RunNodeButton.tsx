import { useState } from 'react';
import { App, Button, Tooltip } from 'antd';
import { PlayCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { nodeRole } from '@shared/index';
import { ApiError } from '../api';
import { useCan } from '../auth/store';
import { useEditor } from '../editor/store';
import { runNodeAlone } from './run-node';
import { runErrorText } from '../i18n/run-error-text';
import { apiErrorText } from '../i18n/api-error-text';

/**
 * "单独运行 / Run this node": runs the selected node alone with its inputs from the last test run, then
 * shows its result. Without a test run it says so and offers the test run (`onTestRun`).
 */
export function RunNodeButton({ nodeId, kind, onDone, onTestRun }: { nodeId: string; kind: string; onDone(): void; onTestRun(): void }) {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const canTest = useCan('scenarios:test');
  const scenarioId = useEditor((s) => s.scenarioId);
  const [busy, setBusy] = useState(false);
  if (!canTest || !scenarioId || nodeRole(kind) === 'entry') return null;

  const go = async () => {
    setBusy(true);
    try {
      const reply = await runNodeAlone(scenarioId, nodeId, useEditor.getState().graph());
      onDone();
      if (reply.status === 'succeeded') void message.success(t('runNode.done', { runId: reply.source_run_id }));
      else void message.error(t('runNode.failed', { message: reply.error ? runErrorText(reply.error, t, (key) => i18n.exists(key)).text : '' }));
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'no_last_run' || error.code === 'upstream_not_run' || error.code === 'transcripts_redacted')) {
        const missing = error.code === 'upstream_not_run' && error.details && typeof error.details === 'object' && 'missing' in error.details && Array.isArray(error.details.missing) ? error.details.missing.join(', ') : '';
        modal.confirm({
          title: t('runNode.action'),
          content: <span data-testid="run-node-no-run">{error.code === 'upstream_not_run' ? t('runNode.notInLastRun', { missing }) : t('runNode.noLastRun')}</span>,
          okText: t('runNode.openTestRun'),
          onOk: onTestRun,
        });
      } else {
        void message.error(t('runNode.failed', { message: apiErrorText(error) }));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ marginBottom: 12 }}>
      <Tooltip title={t('runNode.tip')} placement="bottom">
        <Button size="small" icon={<PlayCircleOutlined />} loading={busy} onClick={() => void go()} data-testid="run-node">
          {busy ? t('runNode.running') : t('runNode.action')}
        </Button>
      </Tooltip>
    </div>
  );
}
