import { Space, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ModelEndpoint } from './api';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** An endpoint's health in this server process: live limit and calls in flight, error rate, last error and success. */
export function HealthCell({ endpoint }: { endpoint: ModelEndpoint }) {
  const { t } = useTranslation();
  if (endpoint.problem === 'secret_key_mismatch') return <Tag color="red">{t('endpoints.keyMismatch')}</Tag>;
  if (!endpoint.enabled) return <Tag>{t('endpoints.disabled')}</Tag>;
  if (!endpoint.active) return <Tag>{t('endpoints.inactive')}</Tag>;
  const h = endpoint.health;
  if (!h || h.recent_calls === 0) return <Typography.Text type="secondary">{t('endpoints.noCalls')}</Typography.Text>;
  const rate = h.error_rate === null ? 0 : Math.round(h.error_rate * 1000) / 10;
  return (
    <Space direction="vertical" size={2} data-testid={`health-${endpoint.name}`}>
      <Space size={4} wrap>
        <Tag>{t('endpoints.limit', { limit: h.limit })}</Tag>
        <Tag color={h.in_flight > 0 ? 'blue' : undefined}>{t('endpoints.inFlight', { n: h.in_flight })}</Tag>
        {h.queued > 0 && <Tag color="orange">{t('endpoints.queued', { n: h.queued })}</Tag>}
        <Tag color={rate >= 10 ? 'red' : rate > 0 ? 'orange' : 'green'}>{t('endpoints.errorRate', { rate, n: h.recent_calls })}</Tag>
      </Space>
      {h.last_success_at && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('endpoints.lastSuccess', { when: when(h.last_success_at) })}</Typography.Text>}
      {h.last_error && (
        <Tooltip title={h.last_error.message}>
          <Typography.Text type="danger" style={{ fontSize: 12 }}>
            {t('endpoints.lastError')}: {h.last_error.code} · {when(h.last_error.at)}
          </Typography.Text>
        </Tooltip>
      )}
    </Space>
  );
}
