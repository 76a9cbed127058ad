import { App, Button, Form, Input, List, Radio, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { bumpSemver } from '@shared/template-api';
import { templatesApi, type Bump, type TemplateDetail } from './api';
import { DiffView } from './DiffView';
import { ScenarioSelect } from './ScenarioSelect';
import { apiErrorText } from '../i18n/api-error-text';

const BUMPS: Bump[] = ['patch', 'minor', 'major'];

/**
 * The admin section of a template's drawer: save a scenario as the next version (semver bump and
 * changelog), deprecate or restore versions, and compare two versions.
 */
export function AdminPanel({ detail, onChanged }: { detail: TemplateDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ scenario_id: string; bump: Bump; notes: string }>();
  const newest = detail.versions[0]?.version ?? detail.version;

  const saveVersion = async () => {
    const values = await form.validateFields();
    try {
      const saved = await templatesApi.addVersion(detail.id, values);
      message.success(t('gallery.saved', { id: saved.template_id, version: saved.version }));
      form.resetFields();
      onChanged();
    } catch (error) {
      message.error(apiErrorText(error));
    }
  };

  const toggle = async (version: string, deprecated: boolean) => {
    try {
      await templatesApi.setDeprecated(detail.id, version, deprecated);
      onChanged();
    } catch (error) {
      message.error(apiErrorText(error));
    }
  };

  return (
    <div data-testid="template-admin">
      <Typography.Paragraph type="secondary">{t('gallery.adminHint')}</Typography.Paragraph>
      <Typography.Title level={5}>{t('gallery.saveAsVersion')}</Typography.Title>
      <Form form={form} layout="vertical" size="small" initialValues={{ bump: 'minor' }}>
        <Form.Item name="scenario_id" label={t('gallery.scenario')} rules={[{ required: true, message: t('gallery.required') }]}>
          <ScenarioSelect testId="version-scenario" />
        </Form.Item>
        <Form.Item name="bump" label={t('gallery.bump')}>
          <Radio.Group>
            {BUMPS.map((b) => (
              <Radio.Button key={b} value={b}>{t(`gallery.bumps.${b}`, { v: bumpSemver(newest, b) })}</Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item name="notes" label={t('gallery.notes')} rules={[{ required: true, whitespace: true, message: t('gallery.required') }]}>
          <Input.TextArea rows={2} data-testid="version-notes" />
        </Form.Item>
        <Button type="primary" size="small" onClick={() => void saveVersion()} data-testid="version-save">{t('gallery.saveAsVersion')}</Button>
      </Form>

      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('gallery.manageVersions')}</Typography.Title>
      <List
        size="small"
        dataSource={detail.versions}
        renderItem={(v) => (
          <List.Item
            key={v.version}
            actions={[
              <Button key="d" size="small" type="link" danger={!v.deprecated} onClick={() => void toggle(v.version, !v.deprecated)} data-testid={`deprecate-${v.version}`}>
                {v.deprecated ? t('gallery.undeprecate') : t('gallery.deprecate')}
              </Button>,
            ]}
          >
            <Space>
              <Typography.Text strong>v{v.version}</Typography.Text>
              {v.deprecated && <Tag color="red">{t('gallery.deprecated')}</Tag>}
              <Typography.Text type="secondary">{v.notes}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />

      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('gallery.diff')}</Typography.Title>
      <DiffView key={detail.versions.length} templateId={detail.id} versions={detail.versions.map((v) => v.version)} />
    </div>
  );
}
