import { Card, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TemplateSummary } from './api';
import { GraphPreview } from './GraphPreview';
import { useLang } from './lang';

/** One template in the gallery: preview, name, description, version and size; a click opens its drawer. */
export function TemplateCard({ template, onOpen }: { template: TemplateSummary; onOpen: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <Card hoverable size="small" onClick={onOpen} data-testid={`template-card-${template.id}`} cover={<GraphPreview preview={template.preview} />}>
      <Typography.Text strong style={{ fontSize: 15 }}>{template.name[lang]}</Typography.Text>
      <Typography.Paragraph type="secondary" ellipsis={{ rows: 3 }} style={{ margin: '6px 0', minHeight: 60 }}>
        {template.description[lang]}
      </Typography.Paragraph>
      <Space size={4} wrap>
        <Tag color="blue">v{template.version}</Tag>
        <Tag>{t('gallery.nodes', { count: template.node_count })}</Tag>
        {template.source === 'builtin' ? <Tag>{t('gallery.builtin')}</Tag> : <Tag color="purple">{t('gallery.custom')}</Tag>}
      </Space>
    </Card>
  );
}
