/** The run log and metrics of a scenario's API runs (`/api/scenarios/:id/api-runs`, `/metrics`), and one run with its events. */
import type { ApiRunsPage, ApiRunSummary, MetricsBucket, MetricsBucketSize, MetricsReply } from '@shared/v1';
import type { RunDetail } from '@shared/api';
import { query, send } from '../publish/http';

export type { ApiRunSummary, MetricsBucket, MetricsBucketSize, MetricsReply, RunDetail };

export interface RunFilter {
  status?: 'succeeded' | 'failed';
  version?: number;
  /** Epoch ms. */
  from?: number;
  to?: number;
}

const base = (id: string) => `/api/scenarios/${encodeURIComponent(id)}`;

export const runsLogApi = {
  runs: (id: string, f: RunFilter, cursor?: string, limit = 20) =>
    send<ApiRunsPage>('GET', `${base(id)}/api-runs${query({ status: f.status, version: f.version, from: f.from, to: f.to, limit, cursor })}`),
  metrics: (id: string, from: number, to: number, bucket: MetricsBucketSize) => send<MetricsReply>('GET', `${base(id)}/metrics${query({ from, to, bucket })}`),
  run: (runId: string) => send<RunDetail>('GET', `/api/runs/${encodeURIComponent(runId)}`),
};

/** The time ranges the log offers, each with the bucket size its charts use. */
export const RANGES = {
  '1h': { ms: 3_600_000, bucket: 'minute' },
  '24h': { ms: 86_400_000, bucket: 'hour' },
  '7d': { ms: 7 * 86_400_000, bucket: 'hour' },
  '30d': { ms: 30 * 86_400_000, bucket: 'day' },
} satisfies Record<string, { ms: number; bucket: MetricsBucketSize }>;
export type RangeKey = keyof typeof RANGES;

/** One chart point per bucket between `from` and `to`, zeros where no run happened (the server leaves those out). */
export function fillBuckets(reply: MetricsReply): MetricsBucket[] {
  const size = reply.bucket === 'minute' ? 60_000 : reply.bucket === 'hour' ? 3_600_000 : 86_400_000;
  const from = Date.parse(reply.from);
  const to = Date.parse(reply.to);
  const byStart = new Map(reply.buckets.map((b) => [Date.parse(b.start), b]));
  const out: MetricsBucket[] = [];
  for (let t = from - (from % size); t < to; t += size) {
    out.push(byStart.get(t) ?? { start: new Date(t).toISOString(), runs: 0, succeeded: 0, failed: 0, timeouts: 0, errors: {}, p50_ms: null, p95_ms: null, prompt_tokens: 0, completion_tokens: 0 });
  }
  return out;
}
