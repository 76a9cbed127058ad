import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Popconfirm, Row, Space, Spin, Table, Typography } from 'antd';
import { DownloadOutlined, RedoOutlined, StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/store';
import type { TFunction } from 'i18next';
import { ApiError } from '../api';
import { errorText } from '../publish/http';
import { runErrorText } from '../i18n/run-error-text';
import { jobsApi, type JobDetail } from './api';
import { jobFigures } from '@shared/job-progress';
import { JobProgressBar, JobStatusTag, rateText, submitterText } from './JobList';
import { formatDuration } from './upload';
import { jobEnded, useJob } from './use-job';
import { useLang } from '../templates/lang';
import { SimulatedTag } from '../common/SimulatedTag';

const PAGE = 10;

/** Why a retry was refused: a job whose transcripts the retention cleared says so in the UI's language. */
function retryError(error: unknown, t: TFunction): string {
  return error instanceof ApiError && error.code === 'transcripts_redacted' ? t('jobs.transcriptsRedacted') : errorText(error);
}

function Figure({ label, value, color, testId }: { label: string; value: string | number; color?: string; testId?: string }) {
  return (
    <div>
      <div style={{ color: 'rgba(0,0,0,.45)', fontSize: 12 }}>{label}</div>
      <div style={{ fontSize: 20, fontWeight: 600, color }} data-testid={testId}>{value}</div>
    </div>
  );
}

/** The failures page: item id, line, reason, retry one. */
function ErrorsTable({ detail, offset, onPage, onRetried }: { detail: JobDetail; offset: number; onPage: (offset: number) => void; onRetried: () => void }) {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('jobs:write');
  const { message } = App.useApp();
  const retry = async (itemId: string) => {
    try {
      await jobsApi.retryItem(detail.job_id, itemId);
      message.success(t('jobs.retried', { n: 1 }));
      onRetried();
    } catch (e) {
      message.error(retryError(e, t));
    }
  };
  return (
    <Table
      size="small"
      rowKey="id"
      dataSource={detail.errors.items}
      data-testid="job-errors"
      locale={{ emptyText: t('jobs.noErrors') }}
      pagination={detail.errors.total > PAGE ? { current: Math.floor(offset / PAGE) + 1, pageSize: PAGE, total: detail.errors.total, onChange: (p) => onPage((p - 1) * PAGE), showSizeChanger: false } : false}
      columns={[
        { title: t('jobs.itemId'), dataIndex: 'id', render: (_, f) => <Typography.Text code>{f.id}</Typography.Text> },
        { title: t('jobs.line'), dataIndex: 'line', width: 60 },
        { title: t('jobs.reason'), dataIndex: 'error', render: (_, f) => { const said = runErrorText(f.error, t, (key) => i18n.exists(key)); return <span title={said.detail}><Typography.Text type="danger">{said.text}</Typography.Text></span>; } },
        { title: t('jobs.attempts'), dataIndex: 'attempts', width: 80 },
        ...(canWrite
          ? [
              {
                title: '',
                dataIndex: 'run_id',
                width: 80,
                render: (_: unknown, f: JobDetail['errors']['items'][number]) => (
                  <Button size="small" icon={<RedoOutlined />} disabled={detail.status === 'cancelled'} onClick={() => void retry(f.id)} data-testid="job-error-retry">
                    {t('jobs.retry')}
                  </Button>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

/** One job: progress bar, rate and ETA, counts (polled every second while it runs), actions, failures. */
export function JobView({ jobId, onChanged }: { jobId: string; onChanged: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  const canWrite = useCan('jobs:write');
  const { message } = App.useApp();
  const [offset, setOffset] = useState(0);
  const { detail, error, reload } = useJob(jobId, { offset, limit: PAGE });
  const status = detail?.status;
  // The job list shows the status too: refresh it when this job ends.
  useEffect(() => {
    if (jobEnded(status)) onChanged();
  }, [status, onChanged]);

  if (error && !detail) return <Alert type="error" showIcon title={error} />;
  if (!detail) return <Spin style={{ margin: 24 }} />;

  const act = async (what: 'cancel' | 'retry') => {
    try {
      if (what === 'cancel') {
        await jobsApi.cancel(detail.job_id);
        message.success(t('jobs.cancelled'));
      } else {
        const { retried } = await jobsApi.retryFailed(detail.job_id);
        message.success(t('jobs.retried', { n: retried }));
      }
      reload();
      onChanged();
    } catch (e) {
      message.error(what === 'retry' ? retryError(e, t) : errorText(e));
    }
  };
  const ended = jobEnded(detail.status);
  const figures = jobFigures(detail);

  return (
    <div data-testid="job-view">
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space style={{ marginBottom: 8 }} wrap>
          <JobStatusTag status={detail.status} />
          {detail.simulated > 0 && (
            <>
              <SimulatedTag testId="job-simulated" />
              <Typography.Text type="warning" data-testid="job-simulated-count">{t('jobs.simulatedItems', { n: detail.simulated })}</Typography.Text>
            </>
          )}
          <Typography.Text type="secondary">{`${detail.scenario} v${detail.version} · ${t('jobs.total', { n: detail.total })} · ${new Date(detail.created_at).toLocaleString()} · ${t('jobs.submittedBy')}: ${submitterText(t, detail.submitted_by)}`}</Typography.Text>
        </Space>
        <JobProgressBar job={detail} />
        <Row gutter={16} style={{ marginTop: 8 }}>
          <Col span={4}><Figure label={t('jobs.succeeded')} value={detail.succeeded} color="#389e0d" testId="job-succeeded" /></Col>
          <Col span={4}><Figure label={t('jobs.failed')} value={detail.failed} color={detail.failed > 0 ? '#cf1322' : undefined} testId="job-failed" /></Col>
          <Col span={4}><Figure label={t('jobs.pending')} value={detail.pending} testId="job-pending" /></Col>
          <Col span={4}><Figure label={t('jobs.running')} value={detail.running} /></Col>
          <Col span={4}><Figure label={ended ? t('jobs.rateAverage') : t('jobs.rate')} value={rateText(t, figures)} testId="job-rate" /></Col>
          <Col span={4}>{ended ? <Figure label={t('jobs.successRate')} value={figures.successPercent === null ? '—' : `${figures.successPercent}%`} testId="job-success-rate" /> : <Figure label={t('jobs.eta')} value={detail.eta_s === null ? '—' : formatDuration(detail.eta_s)} testId="job-eta" />}</Col>
        </Row>
        <Space style={{ marginTop: 12 }} wrap>
          {canWrite && (
            <>
              <Popconfirm title={t('jobs.cancelConfirm')} onConfirm={() => void act('cancel')} disabled={ended}>
                <Button danger icon={<StopOutlined />} disabled={ended} data-testid="job-cancel">{t('jobs.cancel')}</Button>
              </Popconfirm>
              <Button icon={<RedoOutlined />} disabled={detail.failed === 0 || detail.status === 'cancelled'} onClick={() => void act('retry')} data-testid="job-retry-failed">
                {t('jobs.retryFailed')}
              </Button>
            </>
          )}
          <Button icon={<DownloadOutlined />} href={jobsApi.resultsUrl(detail.job_id, 'jsonl')} download data-testid="job-download-jsonl">{`${t('jobs.download')} JSONL`}</Button>
          <Button icon={<DownloadOutlined />} href={jobsApi.resultsUrl(detail.job_id, 'csv', lang)} download data-testid="job-download-csv">{`${t('jobs.download')} CSV`}</Button>
          <Button icon={<DownloadOutlined />} href={jobsApi.resultsUrl(detail.job_id, 'xlsx', lang)} download data-testid="job-download-xlsx">{`${t('jobs.download')} Excel`}</Button>
        </Space>
      </Card>
      <Card size="small" title={`${t('jobs.errors')} (${detail.errors.total})`}>
        <ErrorsTable detail={detail} offset={offset} onPage={setOffset} onRetried={() => { reload(); onChanged(); }} />
      </Card>
    </div>
  );
}
