import { Alert, InputNumber, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AuditConfig } from '@shared/index';
import { Field } from '../form';
import { weightTotal } from './weights';

/** The sheet's declared full score (满分) and its weight total, with a warning when they differ. */
export function WeightTotal({ config, update }: { config: AuditConfig; update(patch: Partial<AuditConfig>): void }) {
  const { t } = useTranslation();
  const { total, full, mismatch } = weightTotal(config.items, config.fullScore);
  return (
    <Field label={t('weights.fullScore')}>
      <InputNumber min={1} max={100000} value={config.fullScore ?? null} placeholder={t('weights.noFullScore')} onChange={(v) => update({ fullScore: v ?? undefined })} data-testid="audit-full-score" />
      <div style={{ marginTop: 6 }} data-testid="audit-weight-total">
        {mismatch && full !== undefined ? (
          <Alert type="warning" showIcon title={t('weights.mismatch', { total, full })} data-testid="audit-weight-mismatch" />
        ) : (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{full === undefined ? t('weights.totalNoFull', { total }) : t('weights.total', { total, full })}</Typography.Text>
        )}
      </div>
    </Field>
  );
}
