import { useState } from 'react';
import { Button, DatePicker, Input, Select, Space } from 'antd';
import { ClearOutlined, DownloadOutlined, SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { AUDIT_ACTOR_TYPES, AUDIT_TARGET_TYPES, type AuditActorType, type AuditFilters } from '@shared/audit';
import { auditApi } from './api';
import { actionOptions, dayRange, typeLabel } from './labels';

interface Form {
  actor: string;
  actorType?: AuditActorType;
  action?: string;
  targetType?: string;
  targetId: string;
  range: [Dayjs, Dayjs] | null;
}

const EMPTY: Form = { actor: '', targetId: '', range: null };

function toFilters(form: Form): AuditFilters {
  return {
    actor: form.actor.trim() || undefined,
    actor_type: form.actorType,
    action: form.action,
    target_type: form.targetType,
    target_id: form.targetId.trim() || undefined,
    ...(form.range ? dayRange(form.range[0].toDate(), form.range[1].toDate()) : {}),
  };
}

/**
 * The audit page's filters (actor, actor type, action or action group, target type and id, a range of days),
 * applied on Search, and the export of what the applied filters match.
 */
export function AuditFilterBar({ applied, onApply }: { applied: AuditFilters; onApply: (filters: AuditFilters) => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<Form>(EMPTY);
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  return (
    <Space wrap style={{ marginBottom: 16 }} data-testid="audit-filters">
      <Input
        style={{ width: 180 }}
        allowClear
        placeholder={t('auditLog.actorPlaceholder')}
        prefix={<span style={{ color: '#999' }}>{t('auditLog.actor')}</span>}
        value={form.actor}
        onChange={(e) => set({ actor: e.target.value })}
        onPressEnter={() => onApply(toFilters(form))}
        data-testid="audit-filter-actor"
      />
      <Select<AuditActorType>
        style={{ width: 140 }}
        allowClear
        placeholder={t('auditLog.actorType')}
        value={form.actorType}
        onChange={(actorType) => set({ actorType })}
        options={AUDIT_ACTOR_TYPES.map((v) => ({ value: v, label: typeLabel(t, 'actorTypes', v) }))}
        data-testid="audit-filter-actor-type"
      />
      <Select<string>
        style={{ width: 200 }}
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={t('auditLog.action')}
        value={form.action}
        onChange={(action) => set({ action })}
        options={actionOptions(t)}
        data-testid="audit-filter-action"
      />
      <Select<string>
        style={{ width: 130 }}
        allowClear
        placeholder={t('auditLog.targetType')}
        value={form.targetType}
        onChange={(targetType) => set({ targetType })}
        options={AUDIT_TARGET_TYPES.map((v) => ({ value: v, label: typeLabel(t, 'targetTypes', v) }))}
        data-testid="audit-filter-target-type"
      />
      <Input style={{ width: 200 }} allowClear placeholder={t('auditLog.targetId')} value={form.targetId} onChange={(e) => set({ targetId: e.target.value })} onPressEnter={() => onApply(toFilters(form))} data-testid="audit-filter-target-id" />
      <DatePicker.RangePicker value={form.range} onChange={(v) => set({ range: v && v[0] && v[1] ? [v[0], v[1]] : null })} data-testid="audit-filter-dates" />
      <Button type="primary" icon={<SearchOutlined />} onClick={() => onApply(toFilters(form))} data-testid="audit-search">{t('auditLog.search')}</Button>
      <Button
        icon={<ClearOutlined />}
        onClick={() => {
          setForm(EMPTY);
          onApply({});
        }}
        data-testid="audit-reset"
      >
        {t('auditLog.reset')}
      </Button>
      <Button icon={<DownloadOutlined />} href={auditApi.csvUrl(applied)} download data-testid="audit-export">{t('auditLog.export')}</Button>
    </Space>
  );
}
