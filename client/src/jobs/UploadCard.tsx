import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Space, Spin, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined, SendOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { JobTemplateColumn, JobUploadTemplate } from '@shared/jobs';
import { ApiError } from '../api';
import { errorText } from '../publish/http';
import { useLang } from '../templates/lang';
import { jobsApi, refusalPlace, type JobUploadPreview } from './api';
import { autoMap, mappingToSend, unmappedRequired, type ColumnChoice } from './mapping';
import { MappingPreview } from './MappingPreview';
import { TemplateColumns } from './TemplateColumns';
import { isRefusal, prepareUpload, type PreparedUpload, type UploadRefusal } from './upload';

/** The words for a refusal by the server: its own code's text when it has one, else the place (sheet row, line, column) and its message. */
function serverRefusal(e: unknown, fileName: string, t: TFunction): string {
  const where = refusalPlace(e);
  // Their own texts say what is wrong with the mapping (errors.invalid_mapping*, errors.unmapped_input).
  if (e instanceof ApiError && (e.code === 'invalid_mapping' || e.code === 'unmapped_input')) return errorText(e);
  // The server's message starts with "line N:" or 'sheet "S" row N:'; show the place once, in front.
  const text = errorText(e).replace(/^(line \d+|sheet ".*?" row \d+):\s*/, '');
  if (where.encoding !== undefined) return where.line === undefined ? t('jobs.notUtf8', { name: fileName, encoding: where.encoding }) : t('jobs.notUtf8Line', { name: fileName, encoding: where.encoding, line: where.line });
  const column = where.column === undefined ? '' : t('jobs.refusedColumn', { column: where.column });
  if (where.sheet !== undefined && where.line !== undefined) return t('jobs.refusedRow', { sheet: where.sheet, row: where.line, message: `${column}${text}` });
  return where.line === undefined ? t('jobs.refusedNoLine', { message: text }) : t('jobs.refused', { line: where.line, message: `${column}${text}` });
}

/** The words for a file refused before sending. */
function localRefusal(r: UploadRefusal, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (r.refused === 'xls') return t('jobs.oldExcel', { name: r.name });
  return r.line === undefined ? t('jobs.notUtf8', { name: r.name, encoding: r.detected }) : t('jobs.notUtf8Line', { name: r.name, encoding: r.detected, line: r.line });
}

/**
 * Download the version's upload template (CSV or Excel); drop or pick a JSONL, CSV or .xlsx file, see
 * how many items were read (and in which encoding), its first rows and which column feeds each input
 * (matched by name, changeable; a required input without a column blocks submitting), and submit it as
 * a job of the chosen version with that mapping. A file in an encoding that is not read is refused here,
 * before sending; a refusal by the server shows its first error with its line or sheet row and column.
 */
export function UploadCard({ scenarioId, version, onSubmitted }: { scenarioId: string; version: number | undefined; onSubmitted: (jobId: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [file, setFile] = useState<PreparedUpload | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const lang = useLang();
  const [template, setTemplate] = useState<JobUploadTemplate | null>(null);
  const inputs: JobTemplateColumn[] | null = template?.columns ?? null;
  const [preview, setPreview] = useState<JobUploadPreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [choice, setChoice] = useState<ColumnChoice>({});

  useEffect(() => {
    let live = true;
    setTemplate(null);
    jobsApi.template(scenarioId, version).then(
      (shown) => live && setTemplate(shown),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [scenarioId, version]);

  const read = async (picked: File) => {
    setRefusal(null);
    setPreview(null);
    const prepared = prepareUpload(picked.name, new Uint8Array(await picked.arrayBuffer()));
    if (isRefusal(prepared)) {
      setFile(null);
      setRefusal(localRefusal(prepared, t));
      return;
    }
    setFile(prepared);
    setPreviewing(true);
    try {
      const shown = await jobsApi.preview(scenarioId, prepared);
      setPreview(shown);
    } catch (e) {
      setRefusal(serverRefusal(e, prepared.name, t));
    } finally {
      setPreviewing(false);
    }
  };
  // Columns matched by name once both the file's columns and the version's inputs are known.
  useEffect(() => {
    if (preview && inputs) setChoice(autoMap(inputs, preview.columns));
  }, [preview, inputs]);
  const missing = preview && inputs ? unmappedRequired(inputs, choice) : [];

  const submit = async () => {
    if (!file) return;
    setSending(true);
    setRefusal(null);
    try {
      const mapping = preview && inputs ? mappingToSend(choice, preview.format === 'csv' || preview.format === 'xlsx') : undefined;
      const created = await jobsApi.submit(scenarioId, version, file, mapping);
      message.success(t('jobs.submitted', { n: created.total }));
      setFile(null);
      setPreview(null);
      onSubmitted(created.job_id);
    } catch (e) {
      setRefusal(serverRefusal(e, file.name, t));
    } finally {
      setSending(false);
    }
  };

  return (
    <Card size="small" title={t('jobs.upload')} data-testid="job-upload">
      <Space size={4} wrap style={{ marginBottom: 8 }}>
        <Typography.Text type="secondary">{t('jobs.templateLink')}</Typography.Text>
        <Button size="small" type="link" icon={<DownloadOutlined />} href={jobsApi.templateUrl(scenarioId, version, 'xlsx', lang)} download data-testid="job-template-xlsx">Excel</Button>
        <Button size="small" type="link" icon={<DownloadOutlined />} href={jobsApi.templateUrl(scenarioId, version, 'csv', lang)} download data-testid="job-template-csv">CSV</Button>
      </Space>
      {template && <TemplateColumns template={template} />}
      <Upload.Dragger
        accept=".jsonl,.ndjson,.json,.csv,.txt,.xlsx"
        multiple={false}
        showUploadList={false}
        beforeUpload={(picked) => {
          void read(picked);
          return false;
        }}
        data-testid="job-dropzone"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('jobs.dropHint')}</p>
        <p className="ant-upload-hint" style={{ fontSize: 12 }}>{t('jobs.dropFormats')}</p>
      </Upload.Dragger>
      {file && (
        <Typography.Paragraph style={{ margin: '8px 0 0' }} data-testid="job-lines-read">
          {file.items === null ? t('jobs.workbookRead', { name: file.name }) : t('jobs.linesRead', { name: file.name, n: file.items })}
          {file.encoding !== undefined && file.encoding !== 'UTF-8' && <Typography.Text type="secondary">{` ${t('jobs.readAs', { encoding: file.encoding })}`}</Typography.Text>}
        </Typography.Paragraph>
      )}
      {previewing && <Spin size="small" style={{ display: 'block', marginTop: 8 }} />}
      {file && preview && inputs && <MappingPreview preview={preview} inputs={inputs} choice={choice} onChange={setChoice} />}
      {refusal && <Alert style={{ marginTop: 8 }} type="error" showIcon title={refusal} data-testid="job-refused" />}
      <Button
        type="primary"
        icon={<SendOutlined />}
        style={{ marginTop: 8 }}
        block
        disabled={!file || file.items === 0 || previewing || missing.length > 0}
        loading={sending}
        onClick={() => void submit()}
        data-testid="job-submit"
      >
        {t('jobs.submit')}
      </Button>
    </Card>
  );
}
