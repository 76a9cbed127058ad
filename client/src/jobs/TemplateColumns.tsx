import { Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { JobUploadTemplate } from '@shared/jobs';

/**
 * What each column of the upload template means, beside its download links: name, type, required or
 * not, an example and the input's description. The .xlsx carries the same as header notes and a 说明
 * sheet; the CSV holds only the header and the example row (a notes line would be read as an item),
 * so this table is where a CSV user reads them.
 */
export function TemplateColumns({ template }: { template: JobUploadTemplate }) {
  const { t } = useTranslation();
  const rows = [
    { name: 'id', type: 'string' as const, required: false, description: t('jobs.templateIdNote'), example: template.example.id ?? '' },
    ...template.columns.map((c) => ({ ...c, example: template.example[c.name] ?? '' })),
  ];
  return (
    <div data-testid="job-template-columns" style={{ marginBottom: 8 }}>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '0 0 4px' }}>{t('jobs.templateNotesWhere')}</Typography.Paragraph>
      <Table
        size="small"
        pagination={false}
        rowKey="name"
        dataSource={rows}
        columns={[
          { title: t('jobs.templateColumn'), dataIndex: 'name', render: (name: string) => <Typography.Text code>{name}</Typography.Text> },
          { title: t('jobs.templateType'), dataIndex: 'type', render: (type: string) => t(`enum.type.${type}`) },
          { title: t('jobs.templateRequired'), dataIndex: 'required', render: (required: boolean) => (required ? <Tag color="red">{t('jobs.requiredTag')}</Tag> : t('jobs.templateOptional')) },
          { title: t('jobs.templateExample'), dataIndex: 'example', ellipsis: true },
          { title: t('jobs.templateDescription'), dataIndex: 'description' },
        ]}
      />
    </div>
  );
}
