import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Descriptions, Result, Spin, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/store';
import { contractOf, publishApi, type ScenarioContract } from './api';
import { CodeBlock } from './CodeBlock';
import { errorText } from './http';
import { runUrl, snippets, type SnippetKind } from './snippets';
import { usePublication } from './store';

const KINDS: SnippetKind[] = ['curl', 'sse', 'ts', 'python'];

/** The API tab: how to call the published scenario, with its real slug and an example input. */
export function ApiPanel({ onPublish }: { onPublish(): void }) {
  const { t } = useTranslation();
  const canPublish = useCan('scenarios:publish');
  const publication = usePublication((s) => s.publication);
  const slug = publication?.live_version ? publication.slug : null;
  const live = publication?.live_version ?? null;
  const [contract, setContract] = useState<ScenarioContract | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!slug) return;
    let on = true;
    setError(null);
    // The document follows the live version, so a rollback changes the snippets' types too.
    publishApi.openapi(slug).then(
      (doc) => on && setContract(contractOf(doc, slug)),
      (e: unknown) => on && setError(errorText(e)),
    );
    return () => {
      on = false;
    };
  }, [slug, live]);

  const origin = window.location.origin;
  const code = useMemo(() => (slug && contract ? snippets({ origin, slug, contract }) : null), [origin, slug, contract]);

  if (!publication) return <Spin />;
  if (!slug)
    return (
      <Result
        status="info"
        title={t('api.notPublished')}
        subTitle={t('api.notPublishedHint')}
        extra={canPublish && <Button type="primary" onClick={onPublish} data-testid="api-publish">{t('publish.button')}</Button>}
        data-testid="api-unpublished"
      />
    );

  return (
    <div data-testid="api-panel">
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('api.endpoint')}>
          <Typography.Text code copyable data-testid="api-endpoint">{`POST ${runUrl(origin, slug)}`}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('api.liveVersion')}>
          <Tag color="green" data-testid="api-live-version">v{live}</Tag>
          {publication.draft_changed && <Tag color="orange">{t('api.draftChanged')}</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label={t('api.docs')}>
          <a href="/docs" target="_blank" rel="noreferrer" data-testid="api-docs-link">/docs</a>
          {' · '}
          <a href={`/v1/scenarios/${slug}/openapi.json`} target="_blank" rel="noreferrer" data-testid="api-openapi-link">openapi.json</a>
        </Descriptions.Item>
        <Descriptions.Item label={t('api.auth')}>
          <Typography.Text type="secondary">{t('api.authHint')}</Typography.Text> <a href="#/keys">{t('keys.nav')}</a>
        </Descriptions.Item>
      </Descriptions>
      {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} />}
      {code ? (
        <Tabs
          style={{ marginTop: 8 }}
          size="small"
          items={KINDS.map((k) => ({ key: k, label: t(`api.snippet.${k}`), children: <CodeBlock code={code[k]} testId={`snippet-${k}`} /> }))}
        />
      ) : (
        !error && <Spin style={{ margin: 24 }} />
      )}
    </div>
  );
}
