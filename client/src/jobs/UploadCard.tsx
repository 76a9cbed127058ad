import { useState } from 'react';
import { Alert, App, Button, Card, Typography, Upload } from 'antd';
import { InboxOutlined, SendOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../publish/http';
import { jobsApi, refusedLine } from './api';
import { prepareUpload, type PreparedUpload } from './upload';

/**
 * Drop or pick a JSONL / CSV file, see how many items were read, submit it as a job of the chosen
 * version. A refusal shows the server's first error with its line.
 */
export function UploadCard({ scenarioId, version, onSubmitted }: { scenarioId: string; version: number | undefined; onSubmitted: (jobId: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [file, setFile] = useState<PreparedUpload | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const read = async (picked: File) => {
    setRefusal(null);
    setFile(prepareUpload(picked.name, await picked.text()));
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
      const line = refusedLine(e);
      // The server's message already starts with "line N:"; show it once, with the line in front.
      const text = errorText(e).replace(/^line \d+:\s*/, '');
      setRefusal(line === undefined ? t('jobs.refusedNoLine', { message: text }) : t('jobs.refused', { line, message: text }));
    } finally {
      setSending(false);
    }
  };

  return (
    <Card size="small" title={t('jobs.upload')} data-testid="job-upload">
      <Upload.Dragger
        accept=".jsonl,.ndjson,.json,.csv,.txt"
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
          {t('jobs.linesRead', { name: file.name, n: file.items })}
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
