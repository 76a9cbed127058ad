import { useState } from 'react';
import { Alert, App, Button, Card, Typography, Upload } from 'antd';
import { InboxOutlined, SendOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../publish/http';
import { jobsApi, refusalPlace } from './api';
import { isRefusal, prepareUpload, type PreparedUpload, type UploadRefusal } from './upload';

/** The words for a file refused before sending. */
function localRefusal(r: UploadRefusal, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (r.refused === 'xls') return t('jobs.oldExcel', { name: r.name });
  return r.line === undefined ? t('jobs.notUtf8', { name: r.name, encoding: r.detected }) : t('jobs.notUtf8Line', { name: r.name, encoding: r.detected, line: r.line });
}

/**
 * Drop or pick a JSONL, CSV or .xlsx file, see how many items were read (and in which encoding),
 * submit it as a job of the chosen version. A file in an encoding that is not read is refused here,
 * before sending; a refusal by the server shows its first error with its line or sheet row.
 */
export function UploadCard({ scenarioId, version, onSubmitted }: { scenarioId: string; version: number | undefined; onSubmitted: (jobId: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [file, setFile] = useState<PreparedUpload | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const read = async (picked: File) => {
    setRefusal(null);
    const prepared = prepareUpload(picked.name, new Uint8Array(await picked.arrayBuffer()));
    if (isRefusal(prepared)) {
      setFile(null);
      setRefusal(localRefusal(prepared, t));
    } else setFile(prepared);
  };

  const submit = async () => {
    if (!file) return;
    setSending(true);
    setRefusal(null);
    try {
      const created = await jobsApi.submit(scenarioId, version, file);
      message.success(t('jobs.submitted', { n: created.total }));
      setFile(null);
      onSubmitted(created.job_id);
    } catch (e) {
      const where = refusalPlace(e);
      // The server's message starts with "line N:" or 'sheet "S" row N:'; show the place once, in front.
      const text = errorText(e).replace(/^(line \d+|sheet ".*?" row \d+):\s*/, '');
      if (where.encoding !== undefined) setRefusal(where.line === undefined ? t('jobs.notUtf8', { name: file.name, encoding: where.encoding }) : t('jobs.notUtf8Line', { name: file.name, encoding: where.encoding, line: where.line }));
      else if (where.sheet !== undefined && where.line !== undefined) setRefusal(t('jobs.refusedRow', { sheet: where.sheet, row: where.line, message: text }));
      else setRefusal(where.line === undefined ? t('jobs.refusedNoLine', { message: text }) : t('jobs.refused', { line: where.line, message: text }));
    } finally {
      setSending(false);
    }
  };

  return (
    <Card size="small" title={t('jobs.upload')} data-testid="job-upload">
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
      {refusal && <Alert style={{ marginTop: 8 }} type="error" showIcon title={refusal} data-testid="job-refused" />}
      <Button
        type="primary"
        icon={<SendOutlined />}
        style={{ marginTop: 8 }}
        block
        disabled={!file || file.items === 0}
        loading={sending}
        onClick={() => void submit()}
        data-testid="job-submit"
      >
        {t('jobs.submit')}
      </Button>
    </Card>
  );
}
