import { Alert, Typography } from 'antd';
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { RunError } from '@shared/events';
import { runErrorText } from '../i18n/run-error-text';

/**
 * A run's or a node's error in the UI's language, the engine's English message below it in small grey
 * text (the code is in its tooltip), for the run panel, the node trace and the runs log.
 */
export function RunErrorAlert({ error, style, testId }: { error: RunError; style?: CSSProperties; testId?: string }) {
  const { t, i18n } = useTranslation();
  const { text, detail } = runErrorText(error, t, (key) => i18n.exists(key));
  return (
    <Alert
      type="error"
      showIcon
      style={style}
      data-testid={testId}
      message={<span data-testid="run-error-text">{text}</span>}
      description={
        detail && detail !== text ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} title={error.code}>
            {t('runError.detail')}: {detail}
          </Typography.Text>
        ) : undefined
      }
    />
  );
}
