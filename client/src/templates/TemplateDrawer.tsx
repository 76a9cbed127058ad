import { useCallback, useEffect, useState } from 'react';
import { App, Button, Divider, Drawer, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { DownloadOutlined, RocketOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/store';
import { AdminPanel } from './AdminPanel';
import { DiffView } from './DiffView';
import { templatesApi, type TemplateDetail } from './api';
import { saveText } from './files';
import { GraphPreview } from './GraphPreview';
import { useLang } from './lang';
import { apiErrorText } from '../i18n/api-error-text';
import { UseTemplateModal } from './UseTemplateModal';

/** A template's details: preview, description, history with changelog, "use", export, and the admin section. */
export function TemplateDrawer({ id, onClose, onChanged }: { id: string | null; onClose: () => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { message } = App.useApp();
  const [detail, setDetail] = useState<TemplateDetail | null>(null);
  const canUse = useCan('scenarios:write');
  const canAdmin = useCan('templates:write');

  const load = useCallback(async () => {
    if (!id) return;
    try {
      setDetail(await templatesApi.detail(id));
    } catch (error) {
      message.error(apiErrorText(error));
    }
  }, [id, message]);

  useEffect(() => {
    setDetail(null);
    void load();
  }, [load]);

  const [naming, setNaming] = useState(false);

  const exportFile = async () => {
    if (!detail) return;
    const { text, fileName } = await templatesApi.exportTemplate(detail.id, detail.version);
    saveText(text, fileName);
  };

  return (
    <Drawer open={id !== null} onClose={onClose} size={640} title={detail ? detail.name[lang] : ''} destroyOnHidden>
      {!detail ? (
        <Spin />
      ) : (
        <div data-testid="template-drawer">
          <Space style={{ marginBottom: 8 }} wrap>
            <Tag color="blue">v{detail.version}</Tag>
            <Tag>{t(`gallery.category.${detail.category}`)}</Tag>
            <Tag>{detail.source === 'builtin' ? t('gallery.builtin') : t('gallery.custom')}</Tag>
            <Typography.Text type="secondary">{t('gallery.nodes', { count: detail.node_count })}</Typography.Text>
          </Space>
          <Typography.Paragraph>{detail.description[lang]}</Typography.Paragraph>
          <GraphPreview preview={detail.preview} height={260} testId="drawer-preview" />
          <Space style={{ margin: '12px 0' }}>
            {canUse && <Button type="primary" icon={<RocketOutlined />} onClick={() => setNaming(true)} data-testid="use-template">{t('gallery.use')}</Button>}
            <Button icon={<DownloadOutlined />} onClick={() => void exportFile()} data-testid="export-template">{t('gallery.export')}</Button>
          </Space>
          <UseTemplateModal open={naming} templateId={detail.id} templateName={detail.name[lang]} onClose={() => setNaming(false)} />
          <Typography.Title level={5}>{t('gallery.history')}</Typography.Title>
          <Timeline
            items={detail.versions.map((v) => ({
              color: v.deprecated ? 'gray' : 'blue',
              content: (
                <div>
                  <Typography.Text strong>v{v.version}</Typography.Text> {v.deprecated && <Tag color="red">{t('gallery.deprecated')}</Tag>}
                  <Typography.Text type="secondary"> {t('gallery.byOn', { who: v.created_by, date: v.created_at.slice(0, 10) })}</Typography.Text>
                  <div>{v.notes}</div>
                </div>
              ),
            }))}
          />
          {canAdmin ? (
            <>
              <Divider titlePlacement="start">{t('gallery.admin')}</Divider>
              <AdminPanel
                detail={detail}
                onChanged={() => {
                  void load();
                  onChanged();
                }}
              />
            </>
          ) : (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>{t('gallery.diff')}</Typography.Title>
              <DiffView templateId={detail.id} versions={detail.versions.map((v) => v.version)} />
            </>
          )}
        </div>
      )}
    </Drawer>
  );
}
