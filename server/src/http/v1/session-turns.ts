/**
 * `POST /v1/sessions/{id}/turns` as one operation on Node's own response, shared by the Express route
 * (session-routes.ts) and the `/v1` fast lane (fast-run.ts), which takes the common request (a JSON
 * body) in front of Express: at 1,000 live calls this path is taken ≈ 250 times a second, and Express's
 * own request handling costs about as much as holding the turns (fast-run.ts says how it was measured).
 * Both answer alike: 202 `{ session_id, accepted, duplicates, turn_count }` once the turns are stored, or
 * `{ error: { code, message, details? } }` with the status of its kind.
 */
import type { ServerResponse } from 'node:http';
import { V1SessionTurnsBodySchema } from '@shared/sessions.js';
import { DomainError } from '../../common/domain-error.js';
import type { KeyRecord } from '../../storage/keys.js';
import type { LiveSessions, SessionView } from '../../sessions/ports.js';
import { domainStatus } from '../errors.js';
import { inScope } from './auth.js';
import { sendJson } from './respond.js';

/** Sends `{ error: { code, message, details? } }`, as the other session routes do. */
export function sendSessionError(res: ServerResponse, status: number, code: string, message: string, details?: unknown): void {
  sendJson(res, status, { error: details === undefined ? { code, message } : { code, message, details } });
}

/** The first issue of a zod error, as `"path": message`. */
export function firstIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.length > 0 ? `"${issue.path.map(String).join('.')}": ` : ''}${issue.message}` : 'invalid';
}

/** The session if `key` may change it (post turns, end it: only its own key, in scope), else undefined. */
export async function changeableSession(sessions: LiveSessions, key: KeyRecord, id: string): Promise<SessionView | undefined> {
  const session = await sessions.get(id);
  return session && session.apiKeyId === key.id && inScope(key, session.slug) ? session : undefined;
}

/** The operation: checks the key may post to the session, parses the body, holds the turns, answers. */
export async function postTurns(sessions: LiveSessions, key: KeyRecord, id: string, body: unknown, res: ServerResponse): Promise<void> {
  const session = await changeableSession(sessions, key, id);
  if (!session) return sendSessionError(res, 404, 'unknown_session', `no session "${id}"`);
  const parsed = V1SessionTurnsBodySchema.safeParse(body ?? {});
  if (!parsed.success) return sendSessionError(res, 400, 'invalid_body', `the body must be { "turns": [{ "id"?, "role", "text", "start"?, "end"? }, …] }: ${firstIssue(parsed.error)}`, { issues: parsed.error.issues });
  try {
    const held = await sessions.addTurns(session.id, parsed.data.turns);
    sendJson(res, 202, { session_id: session.id, accepted: held.accepted, duplicates: held.duplicates, turn_count: held.turnCount });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    sendSessionError(res, domainStatus(error.kind), error.code, error.message, error.details);
  }
}
