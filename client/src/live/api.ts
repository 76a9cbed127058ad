/**
 * The live pages' requests. A signed-in user's go with the session cookie (and CSRF token on a change,
 * through `sendJson`); the agent desk opened with a desk token sends it as `Authorization: Bearer` and no
 * cookie (`credentials: 'omit'`), so the token alone decides, whoever else is signed in in this browser.
 */
import type { LiveConfirmBody, LiveSessionDetail, LiveSessionList } from '@shared/live';
import { ApiError, isRecord, sendJson } from '../api';

/** `status` of the board's list. */
export type LiveStatusFilter = 'active' | 'ended' | 'all';

/** The headers and credentials of a request made with a desk token (or none, with the session cookie). */
export function deskAuth(token: string | undefined): { headers: Record<string, string>; credentials?: RequestCredentials } {
  return token ? { headers: { authorization: `Bearer ${token}` }, credentials: 'omit' } : { headers: {} };
}

async function withToken<T>(method: string, url: string, token: string, body?: unknown): Promise<T> {
  const auth = deskAuth(token);
  const res = await fetch(url, { method, credentials: auth.credentials, headers: { ...auth.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let reply: { data: T } | undefined;
  try {
    // The server's JSON is the documented shape (shared/src/live.ts); JSON.parse is the one untyped boundary.
    reply = { data: text ? JSON.parse(text) : null };
  } catch {
    reply = undefined;
  }
  if (!res.ok) {
    const body: unknown = reply?.data;
    const e = isRecord(body) && isRecord(body.error) ? body.error : {};
    throw new ApiError(res.status, String(e.code ?? res.status), String(e.message ?? res.statusText), e.details);
  }
  if (!reply) throw new ApiError(res.status, 'invalid_reply', `the server's reply to ${method} ${url} is not JSON`);
  return reply.data;
}

function call<T>(method: string, url: string, token: string | undefined, body?: unknown): Promise<T> {
  return token ? withToken<T>(method, url, token, body) : sendJson<T>(method, url, body);
}

const sessionUrl = (id: string) => `/api/live/sessions/${encodeURIComponent(id)}`;

export const liveApi = {
  /** The board's sessions, newest activity first. */
  list: (status: LiveStatusFilter, scenarioId?: string) => {
    const q = new URLSearchParams({ status, ...(scenarioId ? { scenario: scenarioId } : {}) });
    return sendJson<LiveSessionList>('GET', `/api/live/sessions?${q.toString()}`);
  },
  /** One session as the desk shows it. */
  detail: (id: string, token?: string) => call<LiveSessionDetail>('GET', sessionUrl(id), token),
  /** Confirms the session's outputs (`outputs`: the agent's edits; the rest as the model gave them). */
  confirm: (id: string, body: LiveConfirmBody, token?: string) => call<LiveSessionDetail>('POST', `${sessionUrl(id)}/confirm`, token, body),
  /** The URL of the board's stream. */
  boardEventsUrl: '/api/live/events',
  /** The URL of one session's stream. */
  sessionEventsUrl: (id: string) => `${sessionUrl(id)}/events`,
};
