import { useState } from 'react';
import { App, Button, Empty, List, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { templatesApi, type TemplateDiffReply } from './api';
import { apiErrorText } from '../i18n/api-error-text';

function show(value: unknown): string {
  return value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** Picks two versions of a template and lists the nodes and wires added, removed and changed between them. */
export function DiffView({ templateId, versions }: { templateId: string; versions: string[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [from, setFrom] = useState(versions[1] ?? versions[0]);
  const [to, setTo] = useState(versions[0]);
  const [diff, setDiff] = useState<TemplateDiffReply | null>(null);
  const options = versions.map((v) => ({ value: v, label: `v${v}` }));

  const run = async () => {
    try {
      setDiff(await templatesApi.diff(templateId, from, to));
    } catch (error) {
      message.error(apiErrorText(error));
    }
  };

  const d = diff?.diff;
  const empty = d && d.nodes.added.length + d.nodes.removed.length + d.nodes.changed.length + d.edges.added.length + d.edges.removed.length === 0;
  return (
    <div data-testid="template-diff">
      <Space wrap>
        <Select size="small" value={from} options={options} onChange={setFrom} style={{ width: 110 }} data-testid="diff-from" />
        →
        <Select size="small" value={to} options={options} onChange={setTo} style={{ width: 110 }} data-testid="diff-to" />
        <Button size="small" onClick={() => void run()} disabled={versions.length < 2} data-testid="diff-run">{t('gallery.diffRun')}</Button>
      </Space>
      {empty && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('gallery.diffNone')} />}
      {d && !empty && (
        <div style={{ marginTop: 8 }}>
          {d.nodes.added.length > 0 && (
            <p>
              <Typography.Text strong>{t('gallery.added')}: </Typography.Text>
              {d.nodes.added.map((n) => <Tag color="green" key={n.id}>{n.name ?? n.id} ({n.kind})</Tag>)}
            </p>
          )}
          {d.nodes.removed.length > 0 && (
            <p>
              <Typography.Text strong>{t('gallery.removed')}: </Typography.Text>
              {d.nodes.removed.map((n) => <Tag color="red" key={n.id}>{n.name ?? n.id} ({n.kind})</Tag>)}
            </p>
          )}
          {d.nodes.changed.length > 0 && (
            <List
              size="small"
              header={<Typography.Text strong>{t('gallery.changed')}</Typography.Text>}
              dataSource={d.nodes.changed.flatMap((n) => n.fields.map((f) => ({ key: `${n.id}:${f.path}`, node: n.id, ...f })))}
              renderItem={(f) => (
                <List.Item key={f.key}>
                  <Typography.Text code>{f.node}.{f.path}</Typography.Text>{' '}
                  <Typography.Text delete type="secondary">{show(f.before)}</Typography.Text> → <Typography.Text>{show(f.after)}</Typography.Text>
                </List.Item>
              )}
            />
          )}
          {d.edges.added.length + d.edges.removed.length > 0 && (
            <p>
              {d.edges.added.map((e) => <Tag color="green" key={`+${e.id}`}>+ {e.source} → {e.target}</Tag>)}
              {d.edges.removed.map((e) => <Tag color="red" key={`-${e.id}`}>− {e.source} → {e.target}</Tag>)}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
