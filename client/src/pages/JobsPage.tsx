import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Empty, Row, Select, Space, Spin, Tabs, Typography } from 'antd';
import { AuditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { navigate } from '../router';
import { errorText } from '../publish/http';
import { jobsApi, type JobListItem, type JobScenario, type VersionSummary } from '../jobs/api';
import { JobList } from '../jobs/JobList';
import { JobView } from '../jobs/JobView';
import { UploadCard } from '../jobs/UploadCard';
import { useCan } from '../auth/store';

// The dashboard (and echarts with it) loads only when it is shown: a job's progress tab draws no chart.
const LazyDashboard = lazy(() => import('../dashboard/Dashboard').then((m) => ({ default: m.Dashboard })));

function Dashboard(props: { scenarioId: string; jobId?: string }) {
  return (
    <Suspense fallback={<Spin style={{ margin: 48 }} />}>
      <LazyDashboard {...props} />
    </Suspense>
  );
}

/** Polls the scenario's job list every 2 s while one of them is still moving. */
function useJobList(scenarioId: string | undefined) {
  const [jobs, setJobs] = useState<JobListItem[] | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    setJobs(null);
  }, [scenarioId]);
  useEffect(() => {
    if (!scenarioId) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const load = () =>
      jobsApi.list(scenarioId).then(
        (list) => {
          if (!live) return;
          setJobs(list);
          if (list.some((j) => j.status === 'queued' || j.status === 'running')) timer = setTimeout(load, 2000);
        },
        () => live && setJobs([]),
      );
    void load();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [scenarioId, tick]);
  return { jobs, reload };
}

/** 批量质检: choose a published scenario and version, upload a file, follow the job, read the dashboard. */
export default function JobsPage({ scenarioId, jobId }: { scenarioId?: string; jobId?: string }) {
  const { t } = useTranslation();
  const canSubmit = useCan('jobs:write');
  const { message } = App.useApp();
  const [scenarios, setScenarios] = useState<JobScenario[] | null>(null);
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [tab, setTab] = useState('progress');
  const { jobs, reload } = useJobList(scenarioId);

  useEffect(() => {
    jobsApi.scenarios().then(setScenarios, (e: unknown) => {
      setScenarios([]);
      message.error(errorText(e));
    });
  }, [message]);

  // With one published scenario and none chosen, choose it.
  useEffect(() => {
    if (!scenarioId && scenarios && scenarios.length === 1) navigate({ page: 'jobs', scenarioId: scenarios[0].id });
  }, [scenarioId, scenarios]);

  useEffect(() => {
    setVersions([]);
    setVersion(undefined);
    if (scenarioId) jobsApi.versions(scenarioId).then(setVersions, () => setVersions([]));
  }, [scenarioId]);

  useEffect(() => setTab('progress'), [jobId]);

  const scenario = scenarios?.find((s) => s.id === scenarioId);
  const live = versions.find((v) => v.live)?.version;

  return (
    <div style={{ padding: 24, maxWidth: 1440, margin: '0 auto' }} data-testid="jobs-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        <AuditOutlined /> {t('jobs.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('jobs.intro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>{t('jobs.scenario')}</span>
        <Select
          style={{ width: 320 }}
          placeholder={t('jobs.pickScenario')}
          loading={scenarios === null}
          value={scenario ? scenario.id : undefined}
          onChange={(id: string) => navigate({ page: 'jobs', scenarioId: id })}
          options={(scenarios ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.slug})` }))}
          data-testid="jobs-scenario"
        />
        <span>{t('jobs.version')}</span>
        <Select
          style={{ width: 220 }}
          disabled={!scenarioId}
          value={version ?? live}
          onChange={(v: number) => setVersion(v)}
          options={versions.map((v) => ({ value: v.version, label: `v${v.version}${v.live ? ` · ${t('jobs.live')}` : ''}${v.note ? ` · ${v.note}` : ''}` }))}
          data-testid="jobs-version"
        />
      </Space>
      {scenarios !== null && scenarios.length === 0 && <Alert type="info" showIcon title={t('jobs.noScenarios')} />}
      {scenarioId && (
        <Row gutter={16}>
          <Col span={8}>
            {canSubmit && (
              <UploadCard
                scenarioId={scenarioId}
                version={version}
                onSubmitted={(id) => {
                  reload();
                  navigate({ page: 'jobs', scenarioId, jobId: id });
                }}
              />
            )}
            <Card size="small" title={t('jobs.list')} style={{ marginTop: canSubmit ? 16 : 0 }}>
              <JobList jobs={jobs} selected={jobId} onSelect={(id) => navigate({ page: 'jobs', scenarioId, jobId: id })} />
            </Card>
          </Col>
          <Col span={16}>
            {jobId ? (
              <>
                <Button type="link" style={{ padding: 0, marginBottom: 4 }} onClick={() => navigate({ page: 'jobs', scenarioId })} disabled={!scenario?.audit}>
                  {`← ${t('jobs.backToScenario')}`}
                </Button>
                <Tabs
                  activeKey={tab}
                  onChange={setTab}
                  destroyOnHidden
                  items={[
                    { key: 'progress', label: <span data-testid="tab-job-progress">{t('jobs.tabProgress')}</span>, children: <JobView jobId={jobId} onChanged={reload} /> },
                    { key: 'dashboard', label: <span data-testid="tab-job-dashboard">{t('jobs.tabDashboard')}</span>, children: <Dashboard scenarioId={scenarioId} jobId={jobId} /> },
                  ]}
                />
              </>
            ) : scenario?.audit ? (
              <>
                <Typography.Paragraph type="secondary">{t('jobs.pickJob')}</Typography.Paragraph>
                <Dashboard scenarioId={scenarioId} />
              </>
            ) : (
              <Empty description={t('jobs.pickJob')} />
            )}
          </Col>
        </Row>
      )}
    </div>
  );
}
