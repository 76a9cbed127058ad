import { Progress, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { JobSubmitter } from '@shared/jobs';
import { jobFigures, type JobFigures } from '@shared/job-progress';
import type { JobListItem, JobProgress } from './api';

export const STATUS_COLOR: Record<JobProgress['status'], string> = { queued: 'default', running: 'processing', completed: 'success', cancelled: 'warning' };

/** The status tag of a job. */
export function JobStatusTag({ status }: { status: JobProgress['status'] }) {
  const { t } = useTranslation();
  const label = { queued: t('jobs.statusQueued'), running: t('jobs.statusRunning'), completed: t('jobs.statusCompleted'), cancelled: t('jobs.statusCancelled') }[status];
  return <Tag color={STATUS_COLOR[status]} data-testid="job-status">{label}</Tag>;
}

/** A job's rate as the list and the view both word it (`—` when unknown). */
export function rateText(t: (key: string, options?: Record<string, unknown>) => string, figures: JobFigures): string {
  return figures.ratePerS === null ? '—' : t('jobs.ratePerS', { n: figures.ratePerS.toFixed(1) });
}

/** The progress bar of a job, the same in the list and the view: percent, done/total, state from {@link jobFigures}. */
export function JobProgressBar({ job, size }: { job: JobProgress; size?: 'small' }) {
  const figures = jobFigures(job);
  return (
    <Progress
      size={size}
      percent={figures.percent}
      status={figures.state}
      format={() => `${figures.percent}% · ${figures.done}/${job.total}`}
      data-testid="job-progress"
      data-percent={figures.percent}
    />
  );
}

/** Who submitted a job: a user's name, or the API key's. */
export function submitterText(t: (key: string, options?: Record<string, unknown>) => string, who: JobSubmitter): string {
  const name = who.name || t('jobs.submitterGone');
  return who.type === 'api_key' ? t('jobs.submittedByKey', { name }) : name;
}

/** The scenario's jobs, newest first; a click opens one. */
export function JobList({ jobs, selected, onSelect }: { jobs: JobListItem[] | null; selected: string | undefined; onSelect: (jobId: string) => void }) {
  const { t } = useTranslation();
  return (
    <Table
      size="small"
      rowKey="job_id"
      loading={jobs === null}
      dataSource={jobs ?? []}
      pagination={false}
      data-testid="jobs-table"
      locale={{ emptyText: t('jobs.noJobs') }}
      onRow={(job) => ({ onClick: () => onSelect(job.job_id), style: { cursor: 'pointer' } })}
      rowClassName={(job) => (job.job_id === selected ? 'ant-table-row-selected' : '')}
      columns={[
        { title: t('jobs.created'), dataIndex: 'created_at', render: (_, job) => new Date(job.created_at).toLocaleString() },
        { title: t('jobs.submittedBy'), dataIndex: 'submitted_by', ellipsis: true, render: (_, job) => <span data-testid="job-submitter">{submitterText(t, job.submitted_by)}</span> },
        { title: 'v', dataIndex: 'version', width: 44, render: (_, job) => `v${job.version}` },
        { title: t('jobs.status'), dataIndex: 'status', render: (_, job) => <JobStatusTag status={job.status} /> },
        {
          title: t('jobs.progress'),
          dataIndex: 'succeeded',
          width: 170,
          render: (_, job) => <JobProgressBar job={job} size="small" />,
        },
        { title: t('jobs.rate'), dataIndex: 'rate_per_s', width: 80, render: (_, job) => <span data-testid="job-list-rate">{rateText(t, jobFigures(job))}</span> },
      ]}
    />
  );
}
