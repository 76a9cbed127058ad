import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Col, Empty, Row, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { DownloadOutlined, SettingOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { REVIEW_RULE_KINDS, REVIEW_STATUSES, type ReviewItemSummary, type ReviewStatus } from '@shared/review';
import { api } from '../api';
import { useCan } from '../auth/store';
import { errorText } from '../publish/http';
import { navigate } from '../router';
import { reviewApi, type ReviewItemDetail, type ReviewList } from './api';
import { reasonText } from './draft';
import { ItemView } from './ItemView';
import { RulesEditor } from './RulesEditor';

const SCENARIO_KEY = 'mofang.review.scenario';

function savedScenario(): string | undefined {
  try {
    return localStorage.getItem(SCENARIO_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * 人工复核: the queue of results the scenarios' review rules chose, by status (待复核 / 已确认 / 已修改) with
 * counts and reason tags, one item beside it to confirm or correct, moving on to the next pending item;
 * the decided items exported; a scenario's rules at `#/review/rules/<id>`.
 */
export default function ReviewPage({ itemId, rulesOf }: { itemId?: string; rulesOf?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canRules = useCan('scenarios:write');
  const [scenarios, setScenarios] = useState<Array<{ id: string; name: string }>>([]);
  const [scenario, setScenario] = useState<string | undefined>(savedScenario);
  const [status, setStatus] = useState<ReviewStatus>('pending');
  const [reason, setReason] = useState<string | undefined>(undefined);
  const [page, setPage] = useState<ReviewList | null>(null);

  const load = useCallback(async (): Promise<ReviewList | null> => {
    try {
      const list = await reviewApi.list({ scenario, status, reason, limit: 200 });
      setPage(list);
      return list;
    } catch (e) {
      message.error(errorText(e));
      setPage({ items: [], next_cursor: null, counts: { pending: 0, confirmed: 0, corrected: 0 } });
      return null;
    }
  }, [scenario, status, reason, message]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api.listScenarios().then((list) => setScenarios(list.map((s) => ({ id: s.id, name: s.name }))), () => setScenarios([]));
  }, []);

  const chooseScenario = (id: string | undefined) => {
    setScenario(id);
    try {
      if (id) localStorage.setItem(SCENARIO_KEY, id);
      else localStorage.removeItem(SCENARIO_KEY);
    } catch {
      // private mode: the choice holds for this page
    }
  };

  const items = page?.items ?? [];
  const move = (step: 1 | -1) => {
    const at = items.findIndex((i) => i.id === itemId);
    const next = items[at + step] ?? (at < 0 ? items[0] : undefined);
    if (next) navigate({ page: 'review', itemId: next.id });
  };
  // After a decision the queue reloads; in the pending tab the next pending item opens (the one after it, else the first).
  const decided = async (item: ReviewItemDetail) => {
    const before = items.findIndex((i) => i.id === item.id);
    const list = await load();
    if (!list || status !== 'pending') return;
    const rest = list.items.filter((i) => i.id !== item.id);
    const next = rest[Math.max(0, before)] ?? rest[0];
    if (next) navigate({ page: 'review', itemId: next.id });
    else message.info(t('review.queueEmpty'));
  };

  if (rulesOf) return <RulesEditor scenarioId={rulesOf} />;
  const counts = page?.counts ?? { pending: 0, confirmed: 0, corrected: 0 };

  return (
    <div style={{ padding: 16 }} data-testid="review-page">
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>{t('review.title')}</Typography.Title>
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 240 }}
          placeholder={t('review.allScenarios')}
          value={scenario}
          onChange={(v: string | undefined) => chooseScenario(v)}
          options={scenarios.map((s) => ({ value: s.id, label: s.name }))}
          data-testid="review-scenario"
        />
        <Select allowClear style={{ width: 180 }} placeholder={t('review.allReasons')} value={reason} onChange={(v: string | undefined) => setReason(v)} options={REVIEW_RULE_KINDS.map((k) => ({ value: k, label: t(`review.kind.${k}`) }))} data-testid="review-reason" />
        {scenario && (
          <Button icon={<SettingOutlined />} onClick={() => navigate({ page: 'review', rulesOf: scenario })} data-testid="review-rules-open">{canRules ? t('review.rulesEdit') : t('review.rulesView')}</Button>
        )}
        <Button icon={<DownloadOutlined />} href={reviewApi.exportUrl('jsonl', scenario)} data-testid="review-export-jsonl">{t('review.exportJsonl')}</Button>
        <Button icon={<DownloadOutlined />} href={reviewApi.exportUrl('csv', scenario)} data-testid="review-export-csv">{t('review.exportCsv')}</Button>
      </Space>
      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" styles={{ body: { paddingTop: 0 } }} data-testid="review-queue">
            <Tabs
              activeKey={status}
              onChange={(k) => setStatus(REVIEW_STATUSES.find((s) => s === k) ?? 'pending')}
              items={REVIEW_STATUSES.map((s) => ({ key: s, label: <span data-testid={`review-tab-${s}`}>{t(`review.status.${s}`)} <Tag>{counts[s]}</Tag></span> }))}
            />
            <Table
              size="small"
              rowKey="id"
              loading={page === null}
              dataSource={items}
              pagination={{ pageSize: 20, size: 'small', hideOnSinglePage: true }}
              locale={{ emptyText: <Empty description={t(status === 'pending' ? 'review.queueEmpty' : 'review.none')} /> }}
              onRow={(row) => ({ onClick: () => navigate({ page: 'review', itemId: row.id }), style: { cursor: 'pointer', background: row.id === itemId ? '#e6f4ff' : undefined }, 'data-testid': `review-row-${row.source.kind === 'job_item' ? row.source.item_id : row.source.run_id}` })}
              columns={[
                { title: t('review.when'), dataIndex: 'created_at', width: 96, render: (at: string) => <span style={{ fontSize: 12 }}>{new Date(at).toLocaleString()}</span> },
                { title: t('review.source'), key: 'source', render: (_: unknown, row: ReviewItemSummary) => <span style={{ fontSize: 12 }}>{row.scenario_name}<br />{row.source.kind === 'job_item' ? row.source.item_id : t('review.apiRun')}</span> },
                { title: t('review.reasons'), key: 'reasons', render: (_: unknown, row: ReviewItemSummary) => row.reasons.map((r, i) => <Tag key={i} color="volcano" style={{ marginBottom: 2 }}>{reasonText(t, r)}</Tag>) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          {itemId ? <ItemView key={itemId} itemId={itemId} onDecided={(item) => void decided(item)} onMove={move} /> : <Empty style={{ marginTop: 48 }} description={items.length > 0 ? t('review.pick') : t('review.queueEmpty')} />}
        </Col>
      </Row>
    </div>
  );
}
