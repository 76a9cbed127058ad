import { App, Form, Input, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { TEMPLATE_CATEGORIES } from '@shared/templates';
import { templatesApi, type TemplateCategory } from './api';
import { ScenarioSelect } from './ScenarioSelect';
import { apiErrorText } from '../i18n/api-error-text';

interface Values {
  scenario_id: string;
  id: string;
  nameZh: string;
  nameEn: string;
  descZh: string;
  descEn: string;
  category: TemplateCategory;
  notes: string;
}

/** Admin: saves one of the scenarios as a new template at version 1.0.0. */
export function NewTemplateModal({ open, onClose, onSaved }: { open: boolean; onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const required = [{ required: true, whitespace: true, message: t('gallery.required') }];

  const submit = async () => {
    const v = await form.validateFields();
    try {
      const saved = await templatesApi.create({
        scenario_id: v.scenario_id,
        id: v.id,
        name: { zh: v.nameZh, en: v.nameEn },
        description: { zh: v.descZh, en: v.descEn },
        category: v.category,
        notes: v.notes,
      });
      message.success(t('gallery.saved', { id: saved.template_id, version: saved.version }));
      form.resetFields();
      onSaved(saved.template_id);
    } catch (error) {
      message.error(apiErrorText(error));
    }
  };

  return (
    <Modal open={open} title={t('gallery.saveAsTemplate')} okText={t('list.ok')} cancelText={t('list.cancel')} onOk={() => void submit()} onCancel={onClose} destroyOnHidden>
      <Form form={form} layout="vertical" size="small" initialValues={{ category: 'other', notes: '1.0.0' }}>
        <Form.Item name="scenario_id" label={t('gallery.scenario')} rules={[{ required: true, message: t('gallery.required') }]}>
          <ScenarioSelect testId="new-template-scenario" />
        </Form.Item>
        <Form.Item name="id" label={t('gallery.templateId')} extra={t('gallery.templateIdHint')} rules={[...required, { pattern: /^[a-z0-9][a-z0-9-]{1,62}$/, message: t('gallery.templateIdHint') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="nameZh" label={t('gallery.nameZh')} rules={required}><Input /></Form.Item>
        <Form.Item name="nameEn" label={t('gallery.nameEn')} rules={required}><Input /></Form.Item>
        <Form.Item name="descZh" label={t('gallery.descZh')} rules={required}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="descEn" label={t('gallery.descEn')} rules={required}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="category" label={t('gallery.categoryLabel')}>
          <Select options={TEMPLATE_CATEGORIES.map((c) => ({ value: c, label: t(`gallery.category.${c}`) }))} />
        </Form.Item>
        <Form.Item name="notes" label={t('gallery.notes')} rules={required}><Input.TextArea rows={2} /></Form.Item>
      </Form>
    </Modal>
  );
}
