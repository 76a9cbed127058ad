import { Progress, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { JobSubmitter } from '@shared/jobs';
import type { JobListItem, JobProgress } from './api';

export const STATUS_COLOR: Record<JobProgress['status'], string> = { queued: 'default', running: 'processing', completed: 'success', cancelled: 'warning' };

/** The status tag of a job. */
export function JobStatusTag({ status }: { status: JobProgress['status'] }) {
  const { t } = useTranslation();
  const label = { queued: t('jobs.statusQueued'), running: t('jobs.statusRunning'), completed: t('jobs.statusCompleted'), cancelled: t('jobs.statusCancelled') }[status];
  return <Tag color={STATUS_COLOR[status]} data-testid="job-status">{label}</Tag>;
}

/** Share of a job's items that have finished, in percent. */
export function percentDone(job: Pick<JobProgress, 'total' | 'succeeded' | 'failed'>): number {
  return job.total === 0 ? 100 : Math.floor((100 * (job.succeeded + job.failed)) / job.total);
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
          width: 120,
          render: (_, job) => <Progress size="small" percent={percentDone(job)} status={job.failed > 0 ? 'exception' : job.status === 'completed' ? 'success' : 'active'} format={() => `${job.succeeded + job.failed}/${job.total}`} />,
        },
      ]}
    />
  );
}
