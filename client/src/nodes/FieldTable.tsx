import { Checkbox, Input, Select, Table } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Field } from '@shared/index';

const TYPES: Field['type'][] = ['string', 'number', 'integer', 'boolean', 'array', 'object'];

/** The typed fields of a form to fill or a JSON output: name, label, type, required, enum, pattern. */
export function FieldTable({ fields, onChange }: { fields: Field[]; onChange(fields: Field[]): void }) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<Field>) => onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <div data-testid="field-table">
      <Table<Field & { key: number }>
        size="small"
        pagination={false}
        dataSource={fields.map((f, key) => ({ ...f, key }))}
        scroll={{ x: 640 }}
        columns={[
          { title: t('panel.name'), width: 110, render: (_, f, i) => <Input size="small" value={f.name} onChange={(e) => set(i, { name: e.target.value })} /> },
          { title: t('panel.label'), width: 100, render: (_, f, i) => <Input size="small" value={f.label ?? ''} onChange={(e) => set(i, { label: e.target.value || undefined })} /> },
          {
            title: t('panel.type'),
            width: 96,
            render: (_, f, i) => <Select size="small" style={{ width: 88 }} value={f.type} options={TYPES.map((v) => ({ value: v, label: t(`enum.type.${v}`) }))} onChange={(type) => set(i, { type })} />,
          },
          { title: t('panel.required'), width: 56, render: (_, f, i) => <Checkbox checked={f.required} onChange={(e) => set(i, { required: e.target.checked })} /> },
          {
            title: t('panel.enum'),
            width: 140,
            render: (_, f, i) => (
              <Select size="small" mode="tags" style={{ width: 130 }} value={f.enum ?? []} disabled={f.type !== 'string'} onChange={(v: string[]) => set(i, { enum: v.length > 0 ? v : undefined })} />
            ),
          },
          { title: t('panel.pattern'), width: 120, render: (_, f, i) => <Input size="small" value={f.pattern ?? ''} disabled={f.type !== 'string'} onChange={(e) => set(i, { pattern: e.target.value || undefined })} /> },
          { title: t('panel.description'), width: 140, render: (_, f, i) => <Input size="small" value={f.description} onChange={(e) => set(i, { description: e.target.value })} /> },
          { width: 36, fixed: 'right', render: (_, __, i) => <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => onChange(fields.filter((_, j) => j !== i))} /> },
        ]}
      />
      <Button
        size="small"
        type="dashed"
        block
        icon={<PlusOutlined />}
        style={{ marginTop: 6 }}
        onClick={() => onChange([...fields, { name: `field_${fields.length + 1}`, type: 'string', required: false, description: '' }])}
      >
        {t('panel.add')}
      </Button>
    </div>
  );
}
