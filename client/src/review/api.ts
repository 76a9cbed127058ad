/** The human-review endpoints under `/api`, as the 人工复核 page calls them. */
import type { ReviewCorrectBody, ReviewDecisionReply, ReviewItemDetail, ReviewList, ReviewRulesBody, ReviewRulesReply, ReviewStatus } from '@shared/review';
import { query, send } from '../publish/http';

export type { ReviewDecisionReply, ReviewItemDetail, ReviewList, ReviewRulesBody, ReviewRulesReply, ReviewStatus };

const enc = encodeURIComponent;

/** The queue's filter: scenario, status, reason code. */
export interface ReviewQuery {
  scenario?: string;
  status?: ReviewStatus;
  reason?: string;
  cursor?: string;
  limit?: number;
}

export const reviewApi = {
  list: (q: ReviewQuery) => send<ReviewList>('GET', `/api/review/items${query({ scenario: q.scenario, status: q.status, reason: q.reason, cursor: q.cursor, limit: q.limit })}`),
  item: (id: string) => send<ReviewItemDetail>('GET', `/api/review/items/${enc(id)}`),
  confirm: (id: string, redecide = false) => send<ReviewDecisionReply>('POST', `/api/review/items/${enc(id)}/confirm`, { redecide }),
  correct: (id: string, outputs: ReviewCorrectBody['outputs'], redecide = false) => send<ReviewDecisionReply>('POST', `/api/review/items/${enc(id)}/correct`, { outputs, redecide }),
  rules: (scenarioId: string) => send<ReviewRulesReply>('GET', `/api/scenarios/${enc(scenarioId)}/review-rules`),
  saveRules: (scenarioId: string, body: ReviewRulesBody) => send<ReviewRulesReply>('PUT', `/api/scenarios/${enc(scenarioId)}/review-rules`, body),
  exportUrl: (format: 'jsonl' | 'csv', scenario?: string) => `/api/review/export${query({ format, scenario })}`,
};
