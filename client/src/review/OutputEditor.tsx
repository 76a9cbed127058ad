import { Input, InputNumber, Select, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isRecord } from '@shared/json';
import type { ReviewOutputView } from '@shared/review';
import { auditItems, fieldLabel, withField, withItemResult } from './draft';

/** Where the inspector's attention is: an output and one of its fields or audit items (their evidence is highlighted). */
export interface Focus {
  output: string;
  key?: string;
}

interface Props {
  view: ReviewOutputView;
  value: unknown;
  onChange: (value: unknown) => void;
  onFocus: (focus: Focus, evidence: string[]) => void;
  focused?: string;
  readOnly: boolean;
}

const show = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function EvidenceTags({ ids }: { ids: string[] }) {
  return <>{ids.map((id) => <Tag key={id} color="blue">{id}</Tag>)}</>;
}

/** A form, field by field: the model's value beside the editable one, with the turns it came from. */
function FormEditor({ view, value, onChange, onFocus, focused, readOnly }: Props) {
  const { t } = useTranslation();
  const model = isRecord(view.value) ? view.value : {};
  const draft = isRecord(value) ? value : {};
  const rows = [...new Set([...Object.keys(model), ...Object.keys(draft)])].filter((f) => f !== 'evidence' || !Array.isArray(model[f]));
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="field"
      dataSource={rows.map((field) => ({ field }))}
      onRow={(row) => ({ onClick: () => onFocus({ output: view.name, key: row.field }, view.evidence?.[row.field] ?? []), className: focused === row.field ? 'mf-review-focus' : undefined })}
      columns={[
        { title: t('review.field'), dataIndex: 'field', width: 120, render: (field: string) => <span title={field} data-testid={`review-label-${view.name}-${field}`}>{fieldLabel(view, field)}</span> },
        { title: t('review.modelValue'), key: 'model', render: (_: unknown, row: { field: string }) => <Typography.Text type="secondary">{show(model[row.field])}</Typography.Text> },
        {
          title: t('review.yourValue'),
          key: 'value',
          render: (_: unknown, row: { field: string }) => {
            const current = draft[row.field];
            const edited = JSON.stringify(current) !== JSON.stringify(model[row.field]);
            return (
              <Input
                size="small"
                value={show(current)}
                disabled={readOnly}
                status={edited ? 'warning' : undefined}
                data-testid={`review-field-${view.name}-${row.field}`}
                onFocus={() => onFocus({ output: view.name, key: row.field }, view.evidence?.[row.field] ?? [])}
                onChange={(e) => onChange(withField(draft, row.field, typeof model[row.field] === 'number' && e.target.value.trim() !== '' && Number.isFinite(Number(e.target.value)) ? Number(e.target.value) : e.target.value === '' && model[row.field] === null ? null : e.target.value))}
              />
            );
          },
        },
        { title: t('review.evidence'), key: 'evidence', width: 110, render: (_: unknown, row: { field: string }) => <EvidenceTags ids={view.evidence?.[row.field] ?? []} /> },
      ]}
    />
  );
}

/** An audit sheet item by item: pass/fail toggles, red lines marked, the evidence and the model's reason. */
function AuditEditor({ view, value, onChange, onFocus, focused, readOnly }: Props) {
  const { t } = useTranslation();
  const model = new Map(auditItems(view.value).map((i) => [i.id, i.result]));
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="id"
      dataSource={auditItems(value)}
      onRow={(row) => ({ onClick: () => onFocus({ output: view.name, key: row.id }, row.evidence), className: focused === row.id ? 'mf-review-focus' : undefined })}
      columns={[
        { title: t('review.auditItem'), dataIndex: 'name', render: (name: string, row) => <>{name} {row.fatal && <Tag color="red">{t('review.redLine')}</Tag>}</> },
        { title: t('review.modelValue'), key: 'model', width: 90, render: (_: unknown, row) => <Tag color={model.get(row.id) === 'fail' ? 'red' : model.get(row.id) === 'pass' ? 'green' : undefined}>{t(`review.result.${model.get(row.id) ?? 'na'}`, { defaultValue: model.get(row.id) ?? '' })}</Tag> },
        {
          title: t('review.yourValue'),
          key: 'toggle',
          width: 110,
          render: (_: unknown, row) =>
            row.result === 'na' ? <Tag>{t('review.result.na')}</Tag> : (
              <Switch
                size="small"
                checked={row.result === 'pass'}
                disabled={readOnly}
                checkedChildren={t('review.result.pass')}
                unCheckedChildren={t('review.result.fail')}
                data-testid={`review-audit-${view.name}-${row.id}`}
                onChange={(pass) => {
                  onFocus({ output: view.name, key: row.id }, row.evidence);
                  onChange(withItemResult(value, row.id, pass ? 'pass' : 'fail'));
                }}
              />
            ),
        },
        { title: t('review.evidence'), key: 'evidence', width: 110, render: (_: unknown, row) => <EvidenceTags ids={row.evidence} /> },
        { title: t('review.modelReason'), dataIndex: 'reason', render: (r: string) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r}</Typography.Text> },
      ]}
    />
  );
}

/** JSON edited as text; a text that does not parse is kept as the draft's text and flagged. */
function JsonEditor({ view, value, onChange, readOnly }: Props) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 2));
  const [bad, setBad] = useState(false);
  return (
    <>
      <Input.TextArea
        autoSize={{ minRows: 2, maxRows: 10 }}
        value={text}
        disabled={readOnly}
        status={bad ? 'error' : undefined}
        style={{ fontFamily: 'monospace', fontSize: 12 }}
        data-testid={`review-json-${view.name}`}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <Typography.Text type="danger">{t('review.badJson')}</Typography.Text>}
    </>
  );
}

/** The editor that fits a reviewed output's kind. */
export function OutputEditor(props: Props) {
  const { view, value, onChange, readOnly } = props;
  const testId = `review-value-${view.name}`;
  switch (view.kind) {
    case 'form':
      return <FormEditor {...props} />;
    case 'audit':
      return <AuditEditor {...props} />;
    case 'label':
      return (
        <Select
          style={{ minWidth: 220 }}
          value={typeof value === 'string' ? value : undefined}
          disabled={readOnly}
          data-testid={testId}
          options={(view.labels ?? []).map((l) => ({ value: l.id, label: l.name === l.id ? l.id : `${l.name}（${l.id}）` }))}
          onChange={(v: string) => onChange(v)}
        />
      );
    case 'boolean':
      return <Switch checked={value === true} disabled={readOnly} data-testid={testId} onChange={(v) => onChange(v)} />;
    case 'number':
      return <InputNumber value={typeof value === 'number' ? value : null} disabled={readOnly} data-testid={testId} onChange={(v) => onChange(v)} />;
    case 'text':
      return <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} value={typeof value === 'string' ? value : show(value)} disabled={readOnly} data-testid={testId} onChange={(e) => onChange(e.target.value)} />;
    case 'json':
      return <JsonEditor {...props} />;
  }
}
