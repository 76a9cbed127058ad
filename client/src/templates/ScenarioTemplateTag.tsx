import { App, Button, Popconfirm, Space, Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { ScenarioTemplateStatusSchema } from '@shared/template-api';
import { isRecord } from '../api';
import { useCan } from '../auth/store';
import { templatesApi } from './api';
import { apiErrorText } from '../i18n/api-error-text';

/**
 * In the scenario list: which template a scenario came from, and "update available" with an action
 * to rebase it when the template has a newer version. Reads the `template` field the API adds to rows.
 */
export function ScenarioTemplateTag({ row, onUpdated }: { row: { id: string }; onUpdated: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canUpdate = useCan('scenarios:publish');
  const raw: unknown = row;
  const parsed = ScenarioTemplateStatusSchema.safeParse(isRecord(raw) ? raw.template : undefined);
  if (!parsed.success) return null;
  const status = parsed.data;
  if (!status.update_available || status.latest === null) {
    return <Tag style={{ marginLeft: 8 }} data-testid="template-origin">{t('gallery.origin', { id: status.id, version: status.version })}</Tag>;
  }
  const latest = status.latest;
  const update = async () => {
    try {
      const reply = await templatesApi.updateFromTemplate(row.id);
      message.success(t('gallery.updated', { version: reply.to_version }));
      onUpdated();
    } catch (error) {
      message.error(apiErrorText(error));
    }
  };
  return (
    <Space size={4} style={{ marginLeft: 8 }}>
      <Tooltip title={t('gallery.updateTip', { id: status.id, latest, version: status.version })}>
        <Tag color="orange" data-testid="update-available">{t('gallery.updateAvailable')}</Tag>
      </Tooltip>
      {canUpdate && <Popconfirm title={t('gallery.updateConfirm', { latest })} okText={t('list.ok')} cancelText={t('list.cancel')} onConfirm={() => void update()}>
        <Button size="small" type="link" data-testid="template-update">{t('gallery.update', { latest })}</Button>
      </Popconfirm>}
    </Space>
  );
}
