import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, DownloadOutlined, EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { EvalCase } from '@shared/evaluation';
import { parseJson } from '@shared/json';
import { VALUE_TYPES } from '@shared/json-schema';
import { errorText } from '../publish/http';
import { useCan } from '../auth/store';
import { evalApi, type EvalRevisionList, type EvalSetDetail, type EvalTargets } from './api';
import { EvalUpload } from './EvalUpload';
import { inputsSummary, valueText } from './summary';
import { CaseId } from './CaseId';

type Revision = EvalRevisionList['revisions'][number];

/**
 * One set: its cases at a chosen revision (the latest by default; an older one read-only), each case's
 * expected outputs editable and the case removable (each change a new revision), the history of
 * revisions, an upload, and the revision's JSONL download.
 */
export function SetView({ scenarioId, setId, targets, onChanged }: { scenarioId: string; setId: string; targets: EvalTargets; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('eval:write');
  const [detail, setDetail] = useState<EvalSetDetail | null>(null);
  const [history, setHistory] = useState<Revision[]>([]);
  const [revision, setRevision] = useState<number | undefined>(undefined);
  const [editing, setEditing] = useState<EvalCase | null>(null);
  const [draft, setDraft] = useState<Record<string, string>>({});

  const load = useCallback(() => {
    evalApi.get(setId, revision).then(setDetail, (e: unknown) => message.error(errorText(e)));
    evalApi.revisions(setId).then(setHistory, () => setHistory([]));
  }, [setId, revision, message]);
  useEffect(load, [load]);
  useEffect(() => setRevision(undefined), [setId]);

  const changed = (text: string) => {
    message.success(text);
    setRevision(undefined);
    load();
    onChanged();
  };
  const latest = detail !== null && detail.shown_revision === detail.revision;
  const roleLabel = (role: string) => t(`enum.role.${role}`, { defaultValue: role });
  // What a value of the output's type looks like, in the UI language (the graph's own description may be in either).
  const valueHint = (type: string) => t(`evalSets.valueHint.${(VALUE_TYPES as readonly string[]).includes(type) ? type : 'other'}`);

  const startEdit = (c: EvalCase) => {
    setEditing(c);
    setDraft(Object.fromEntries(targets.outputs.map((o) => [o.name, c.expected[o.name] === undefined ? '' : JSON.stringify(c.expected[o.name])])));
  };
  const saveEdit = async () => {
    if (!editing) return;
    const expected: Record<string, unknown> = {};
    for (const [name, text] of Object.entries(draft)) {
      if (text.trim() === '') continue;
      // A value is JSON (true, 3, "high", ["a"]); text that is not JSON is taken as a string.
      expected[name] = parseJson(text) ?? text;
    }
    try {
      const reply = await evalApi.updateCase(setId, editing.id, expected);
      setEditing(null);
      changed(t('evalSets.saved', { revision: reply.revision }));
    } catch (e) {
      message.error(errorText(e));
    }
  };

  if (!detail) return null;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="eval-set-view">
      <Card
        size="small"
        title={
          <Space>
            <span data-testid="eval-set-title">{detail.name}</span>
            <Tag color="blue" data-testid="eval-set-revision">{t('evalSets.revisionTag', { revision: detail.shown_revision })}</Tag>
            {!latest && <Tag color="orange">{t('evalSets.oldRevision', { latest: detail.revision })}</Tag>}
          </Space>
        }
        extra={
          <Space>
            <Select
              size="small"
              style={{ minWidth: 160 }}
              value={detail.shown_revision}
              onChange={(r: number) => setRevision(r === detail.revision ? undefined : r)}
              options={[{ value: 0, label: t('evalSets.revisionOption', { revision: 0, cases: 0 }) }, ...history].map((r) => ('change' in r ? { value: r.revision, label: t('evalSets.revisionOption', { revision: r.revision, cases: r.cases }) } : r)).sort((a, b) => b.value - a.value)}
              data-testid="eval-revision-select"
            />
            <Button size="small" icon={<DownloadOutlined />} href={evalApi.exportUrl(setId, detail.shown_revision)} download data-testid="eval-export">{t('evalSets.export')}</Button>
          </Space>
        }
      >
        {detail.description && <Typography.Paragraph type="secondary">{detail.description}</Typography.Paragraph>}
        <Table
          size="small"
          rowKey="id"
          dataSource={detail.case_list}
          pagination={{ pageSize: 20, showSizeChanger: false }}
          data-testid="eval-cases"
          columns={[
            { title: t('evalSets.caseId'), dataIndex: 'id', width: 170, render: (id: string) => <CaseId id={id} /> },
            { title: t('evalSets.inputs'), key: 'inputs', render: (_: unknown, c: EvalCase) => <span title={inputsSummary(c.inputs, 2000, roleLabel)} data-testid={`eval-inputs-${c.id}`}>{inputsSummary(c.inputs, 80, roleLabel)}</span> },
            {
              title: t('evalSets.expected'),
              key: 'expected',
              render: (_: unknown, c: EvalCase) => (
                <Space size={4} wrap data-testid={`eval-expected-${c.id}`}>
                  {Object.entries(c.expected).map(([k, v]) => <Tag key={k}>{`${k} = ${valueText(v, 40)}`}</Tag>)}
                </Space>
              ),
            },
            { title: t('evalSets.source'), key: 'source', width: 110, render: (_: unknown, c: EvalCase) => t(`evalSets.sources.${c.source.kind}`) },
            ...(canWrite && latest
              ? [{
                  title: '',
                  key: 'actions',
                  width: 150,
                  render: (_: unknown, c: EvalCase) => (
                    <Space size={0}>
                      <Button size="small" type="link" icon={<EditOutlined />} onClick={() => startEdit(c)} data-testid={`eval-edit-${c.id}`}>{t('evalSets.edit')}</Button>
                      <Popconfirm title={t('evalSets.removeConfirm', { id: c.id })} onConfirm={() => void evalApi.removeCase(setId, c.id).then((r) => changed(t('evalSets.removed', { revision: r.revision })), (e: unknown) => message.error(errorText(e)))}>
                        <Button size="small" type="link" danger icon={<DeleteOutlined />} data-testid={`eval-remove-${c.id}`} />
                      </Popconfirm>
                    </Space>
                  ),
                }]
              : []),
          ]}
        />
      </Card>
      {canWrite && latest && <EvalUpload scenarioId={scenarioId} setId={setId} targets={targets} onDone={() => changed(t('evalSets.refreshed'))} />}
      <Card size="small" title={t('evalSets.history')} data-testid="eval-history">
        <Table
          size="small"
          rowKey="revision"
          pagination={false}
          dataSource={history}
          columns={[
            { title: t('evalSets.revision'), dataIndex: 'revision', width: 80, render: (r: number) => <Button size="small" type="link" onClick={() => setRevision(r)}>{`r${r}`}</Button> },
            { title: t('evalSets.change'), dataIndex: 'change', render: (c: string) => t(`evalSets.changes.${c}`, { defaultValue: c }) },
            { title: t('evalSets.counts'), key: 'counts', render: (_: unknown, r: Revision) => t('evalSets.countsText', { added: r.added, changed: r.changed, removed: r.removed, cases: r.cases }) },
            { title: t('evalSets.by'), dataIndex: 'by' },
            { title: t('evalSets.at'), dataIndex: 'at', render: (at: string) => new Date(at).toLocaleString() },
          ]}
        />
      </Card>
      <Modal open={editing !== null} title={t('evalSets.editTitle', { id: editing?.id ?? '' })} onCancel={() => setEditing(null)} onOk={() => void saveEdit()} okText={t('evalSets.saveEdit')} okButtonProps={{ 'data-testid': 'eval-edit-save' }} destroyOnHidden>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('evalSets.editHint')}</Typography.Paragraph>
        {targets.outputs.map((o) => (
          <div key={o.name} style={{ marginBottom: 8 }}>
            <Typography.Text code>{o.name}</Typography.Text> <Typography.Text type="secondary" data-testid={`eval-edit-hint-${o.name}`}>{valueHint(o.type)}</Typography.Text>
            <Input value={draft[o.name] ?? ''} onChange={(e) => setDraft({ ...draft, [o.name]: e.target.value })} data-testid={`eval-edit-field-${o.name}`} />
          </div>
        ))}
      </Modal>
    </Space>
  );
}
