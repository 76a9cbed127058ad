import { useCallback, useEffect, useState } from 'react';
import { App, Button, Col, Empty, Row, Space, Spin, Typography } from 'antd';
import { ImportOutlined, SaveOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { TEMPLATE_CATEGORIES } from '@shared/templates';
import { useCan } from '../auth/store';
import { templatesApi, type TemplateSummary } from '../templates/api';
import { pickJsonText } from '../templates/files';
import { NewTemplateModal } from '../templates/NewTemplateModal';
import { TemplateCard } from '../templates/TemplateCard';
import { TemplateDrawer } from '../templates/TemplateDrawer';
import { apiErrorText } from '../i18n/api-error-text';

/** The template gallery: templates grouped by category; a card opens its details, history and admin actions. */
export default function GalleryPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [templates, setTemplates] = useState<TemplateSummary[] | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const canWrite = useCan('templates:write');

  const load = useCallback(async () => {
    try {
      setTemplates(await templatesApi.list());
    } catch (error) {
      message.error(apiErrorText(error));
      setTemplates([]);
    }
  }, [message]);

  useEffect(() => {
    void load();
  }, [load]);

  const importFile = async () => {
    const picked = await pickJsonText();
    if (!picked) return;
    if (!picked.ok) return void message.error(t('gallery.badFile', { reason: apiErrorText(picked.error) }));
    try {
      const reply = await templatesApi.importTemplate(picked.text);
      message.success(t('gallery.imported', { id: reply.template_id, version: reply.version }));
      void load();
    } catch (error) {
      message.error(t('gallery.badFile', { reason: apiErrorText(error) }));
    }
  };

  return (
    <div style={{ maxWidth: 1200, margin: '0 auto', padding: 24 }} data-testid="gallery">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }}>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="gallery-title">{t('gallery.title')}</Typography.Title>
          <Typography.Text type="secondary">{t('gallery.subtitle')}</Typography.Text>
        </div>
        {canWrite && (
          <Space>
            <Button icon={<ImportOutlined />} onClick={() => void importFile()} data-testid="import-template">{t('gallery.import')}</Button>
            <Button icon={<SaveOutlined />} onClick={() => setCreating(true)} data-testid="new-template">{t('gallery.saveAsTemplate')}</Button>
          </Space>
        )}
      </Space>
      {templates === null ? (
        <Spin style={{ margin: 48 }} />
      ) : templates.length === 0 ? (
        <Empty description={t('gallery.empty')} />
      ) : (
        <Row gutter={[24, 8]}>
          {TEMPLATE_CATEGORIES.filter((c) => templates.some((tpl) => tpl.category === c)).map((category) => (
            <Col key={category} xs={24} md={12} xl={8} data-testid={`category-${category}`}>
              <Typography.Title level={4} style={{ marginTop: 16 }}>{t(`gallery.category.${category}`)}</Typography.Title>
              <Space direction="vertical" size={16} style={{ width: '100%' }}>
                {templates
                  .filter((tpl) => tpl.category === category)
                  .map((tpl) => (
                    <TemplateCard key={tpl.id} template={tpl} onOpen={() => setOpenId(tpl.id)} />
                  ))}
              </Space>
            </Col>
          ))}
        </Row>
      )}
      <TemplateDrawer id={openId} onClose={() => setOpenId(null)} onChanged={() => void load()} />
      {canWrite && <NewTemplateModal
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(id) => {
          setCreating(false);
          void load();
          setOpenId(id);
        }}
      />}
    </div>
  );
}
