import { useEffect, useState } from 'react';
import { App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { freeName } from '@shared/free-name';
import { api } from '../api';
import { navigate } from '../router';
import { templatesApi } from './api';
import { apiErrorText } from '../i18n/api-error-text';

/**
 * "使用此模板": asks the new scenario's name first, prefilled with the template's name or, when a
 * scenario already has it, the first free numbered one (通话质检 2); OK creates the draft and opens it.
 */
export function UseTemplateModal({ open, templateId, templateName, onClose }: { open: boolean; templateId: string; templateName: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string }>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    let live = true;
    form.setFieldsValue({ name: templateName });
    api.listScenarios().then(
      (list) => live && form.setFieldsValue({ name: freeName(templateName, list.map((s) => s.name)) }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [open, templateName, form]);

  const submit = async () => {
    const { name } = await form.validateFields();
    setBusy(true);
    try {
      const created = await templatesApi.use(templateId, { name: name.trim() });
      message.success(t('gallery.used'));
      onClose();
      navigate({ page: 'editor', id: created.id });
    } catch (error) {
      message.error(apiErrorText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('gallery.useTitle')}
      okText={t('gallery.useOk')}
      cancelText={t('list.cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'use-template-ok' } as Record<string, string>}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={() => void submit()}>
        <Form.Item name="name" label={t('gallery.scenarioName')} rules={[{ required: true, whitespace: true, message: t('gallery.required') }, { max: 200, message: t('gallery.nameTooLong') }]}>
          <Input autoFocus data-testid="use-template-name" maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
