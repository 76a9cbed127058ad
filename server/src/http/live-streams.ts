/**
 * The live pages' event streams (server-sent events, better-sse): the board's, every session's news as
 * the board shows it, and one session's, replayed from the stored events then followed. Both keep the
 * connection alive with a comment every 15 s and stop following when the client goes.
 */
import { loggableMessage } from '../storage/db-errors.js';
import type { Request, Response } from 'express';
import { createSession } from 'better-sse';
import type { LiveSessionSummary } from '@shared/live.js';
import type { LiveSessions, SessionEventRecord, SessionView } from '../sessions/ports.js';

/** How long between keep-alive comments, ms. */
const KEEP_ALIVE_MS = 15_000;

/** The names the board's stream carries. */
export const BOARD_EVENTS: ReadonlySet<string> = new Set(['session.started', 'session.updated', 'session.alert', 'session.ended']);

/** How the board's stream shows a session to its reader (masked or not); a promise when it has to read the store first. */
export type SummaryOf = (session: SessionView) => LiveSessionSummary | Promise<LiveSessionSummary>;

/** Bytes a follower may leave unread before its stream is dropped (it resumes with `Last-Event-ID`). */
export const MAX_FOLLOWER_BACKLOG = 4 * 1024 * 1024;

/**
 * Drops a response whose client does not read: what it leaves unread would otherwise stay in this
 * server's memory for as long as the session goes on. The events stay stored; a reconnect with
 * `Last-Event-ID` gets them. Returns whether it dropped it.
 */
export function dropSlowFollower(res: Response): boolean {
  if (res.writableLength <= MAX_FOLLOWER_BACKLOG) return false;
  res.destroy();
  return true;
}

/**
 * Follows every session for the board until the client goes: `session.started`, `session.updated` and
 * `session.ended` carry the session's summary, `session.alert` `{ session_id, alert, session }`.
 * `render` shows an alert to the reader (masking its value, or not).
 */
export async function boardStream(req: Request, res: Response, sessions: LiveSessions, summaryOf: SummaryOf, renderAlert: (alert: unknown) => unknown): Promise<void> {
  const sse = await createSession(req, res, { keepAlive: KEEP_ALIVE_MS, retry: 2_000, trustClientEventId: false });
  const deliver = (event: SessionEventRecord, session: SessionView, summary: LiveSessionSummary) => {
    if (!sse.isConnected) return;
    if (event.name === 'session.alert') {
      const alert = typeof event.data === 'object' && event.data !== null && 'alert' in event.data ? event.data.alert : null;
      sse.push({ session_id: session.id, alert: renderAlert(alert), session: summary }, event.name);
    } else sse.push(summary, event.name);
    dropSlowFollower(res);
  };
  // Events whose summary waits for a store read, and every one after them, go out in order.
  let pending: Promise<void> | undefined;
  const unsubscribe = sessions.subscribe((event, session) => {
    if (!BOARD_EVENTS.has(event.name) || !sse.isConnected) return;
    const summary = summaryOf(session);
    if (!pending && !(summary instanceof Promise)) return deliver(event, session, summary);
    const link: Promise<void> = (pending ?? Promise.resolve())
      .then(async () => deliver(event, session, await summary))
      .catch((error: unknown) => console.error('[mofang] a board event could not be shown:', loggableMessage(error)))
      .finally(() => {
        if (pending === link) pending = undefined;
      });
    pending = link;
  });
  await new Promise<void>((resolve) => res.on('close', resolve));
  unsubscribe();
}

/** The seq after the one a `Last-Event-ID` of session `id` names (`<id>:<seq>`), or 0. */
export function resumeFrom(id: string, lastEventId: string | undefined): number {
  if (!lastEventId) return 0;
  const colon = lastEventId.lastIndexOf(':');
  if (colon <= 0 || lastEventId.slice(0, colon) !== id) return 0;
  const seq = lastEventId.slice(colon + 1);
  return /^\d{1,9}$/.test(seq) ? Number(seq) + 1 : 0;
}

/**
 * One session's stream: its stored events from the one after `Last-Event-ID` (ids `<session id>:<seq>`),
 * then each new one, until `session.ended` has been sent (then the response ends) or the client goes.
 * A session already over with nothing left to send ends the response at once. `render` shows each
 * event's data to the reader.
 */
export async function sessionStream(req: Request, res: Response, sessions: LiveSessions, id: string, render: (event: SessionEventRecord) => unknown): Promise<void> {
  let next = resumeFrom(id, req.get('last-event-id'));
  const sse = await createSession(req, res, { keepAlive: KEEP_ALIVE_MS, retry: 2_000, trustClientEventId: false });
  let replayed = false;
  let over = false;
  const waiting: SessionEventRecord[] = [];
  let finish = () => {};
  const send = (event: SessionEventRecord) => {
    if (over || event.seq < next || !sse.isConnected) return;
    sse.push(render(event), event.name, `${id}:${event.seq}`);
    next = event.seq + 1;
    if (dropSlowFollower(res)) return finish();
    if (event.name === 'session.ended') finish();
  };
  // Subscribed before the replay is read, so that no event falls between the two (one stored after the
  // read began is also handed on; `send` skips seqs already sent).
  const unsubscribe = sessions.subscribe((event) => (replayed ? send(event) : waiting.push(event)), id, next);
  const done = new Promise<void>((resolve) => {
    finish = () => {
      over = true;
      resolve();
    };
    res.on('close', finish);
  });
  for (const event of await sessions.eventsSince(id, next)) send(event);
  replayed = true;
  for (const event of waiting) send(event);
  if (!over && (await sessions.get(id))?.status === 'ended' && (await sessions.eventsSince(id, next)).length === 0) finish();
  await done;
  unsubscribe();
  if (!res.writableEnded) res.end();
}
