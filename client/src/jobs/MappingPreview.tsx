import { Alert, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { JobTemplateColumn } from '@shared/jobs';
import type { JobUploadPreview } from './api';
import { unmappedRequired, type ColumnChoice } from './mapping';

/** Longest text a preview cell shows before it is cut (a transcript cell runs to thousands). */
const CELL_CHARS = 60;

/**
 * The first rows of a picked file and, for each input of the scenario (and the item id), which of the
 * file's columns it comes from; required inputs left without a column are named, and block submitting.
 */
export function MappingPreview({ preview, inputs, choice, onChange }: { preview: JobUploadPreview; inputs: JobTemplateColumn[]; choice: ColumnChoice; onChange: (choice: ColumnChoice) => void }) {
  const { t, i18n } = useTranslation();
  const missing = unmappedRequired(inputs, choice);
  const table = preview.format === 'csv' || preview.format === 'xlsx';
  const options = [{ value: '', label: t('jobs.noColumn') }, ...preview.columns.map((c) => ({ value: c, label: c }))];
  const rows = preview.rows.map((cells, i) => ({ key: i, cells }));
  return (
    <div style={{ marginTop: 8 }} data-testid="job-mapping">
      <Typography.Text strong>{t('jobs.previewTitle', { n: preview.rows.length })}</Typography.Text>
      {preview.sheet !== undefined && <Typography.Text type="secondary">{` ${t('jobs.previewSheet', { sheet: preview.sheet })}`}</Typography.Text>}
      <Table
        size="small"
        style={{ marginTop: 4 }}
        pagination={false}
        scroll={{ x: true }}
        dataSource={rows}
        data-testid="job-preview"
        columns={preview.columns.map((name, c) => ({
          title: name,
          key: String(c),
          render: (_: unknown, row: (typeof rows)[number]) => {
            const text = row.cells[c] ?? '';
            return <span title={text}>{text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS)}…` : text}</span>;
          },
        }))}
      />
      <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>{t('jobs.mappingTitle')}</Typography.Text>
      <Space direction="vertical" style={{ width: '100%', marginTop: 4 }} size={4}>
        {[...(table ? [{ name: 'id', type: 'string' as const, required: false, description: t('jobs.idColumn') }] : []), ...inputs].map((input) => (
          <div key={input.name} style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
            {/* Target names run long (`expected.risk_level`): they wrap rather than being cut, whole in the tooltip. */}
            <span style={{ flex: '0 0 45%', minWidth: 0, overflowWrap: 'anywhere' }} title={input.description ? `${input.name}: ${input.description}` : input.name} data-testid={`job-map-label-${input.name}`}>
              <Typography.Text code style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}>{input.name}</Typography.Text>
              {input.required && <Tag color="red" style={{ marginLeft: 4 }}>{t('jobs.requiredTag')}</Tag>}
            </span>
            <Select
              size="small"
              style={{ flex: 1, minWidth: 0 }}
              value={choice[input.name] ?? ''}
              options={options}
              onChange={(column: string) => onChange({ ...choice, [input.name]: column })}
              status={input.required && !choice[input.name] ? 'error' : undefined}
              data-testid={`job-map-${input.name}`}
            />
          </div>
        ))}
      </Space>
      {missing.length > 0 && <Alert style={{ marginTop: 8 }} type="warning" showIcon title={t('jobs.unmappedRequired', { names: missing.join(i18n.language === 'en' ? ', ' : '、') })} data-testid="job-unmapped" />}
    </div>
  );
}
