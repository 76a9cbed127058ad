/**
 * Plays one recorded call into a live session (`mofang replay`): creates the session, follows its event
 * stream, posts each turn when the timing model says it was finalised, ends the session after the last
 * turn (or when the replay is interrupted) and reports what happened.
 */
import { SessionAlertEventSchema, SessionEndedEventSchema, SessionUpdatedEventSchema, V1SessionCreatedSchema, V1SessionEndedSchema, type SessionFinalRun } from '@shared/sessions.js';
import type { SessionAlert } from '@shared/alerts.js';
import { followEvents, requestJson, type ReplayApi, type StreamEvent } from './replay-client.js';
import type { RecordedCall } from './replay-calls.js';
import { finalisedAt, wallMs, type ReplaySpeed, type TimingModel } from './replay-timing.js';

/** What one call's replay needs besides the call. */
export interface PlayContext {
  api: ReplayApi;
  slug: string;
  version?: number;
  speed: ReplaySpeed;
  timing: TimingModel;
  /** The file the calls came from (kept in the session's `meta`). */
  file: string;
  /** Fires on Ctrl+C or a fatal error elsewhere: stop posting turns and end the session. */
  stop: AbortSignal;
  onAlert(call: RecordedCall, alert: SessionAlert): void;
}

/** How one call's replay went. */
export interface CallOutcome {
  call: RecordedCall;
  sessionId: string | null;
  /** Turns the server accepted. */
  turns: number;
  updates: number;
  failedUpdates: number;
  alerts: number;
  /** The final run, once the session ended. */
  finalRun: SessionFinalRun | null;
  /** Set when the replay of this call failed (the request that failed, why). */
  error: unknown;
  /** True when it was stopped before its last turn. */
  interrupted: boolean;
}

/** How long to wait for the stream's `session.ended` after the end reply, ms. */
const STREAM_GRACE_MS = 5_000;

/** Waits until `ms` or until `signal` fires, whichever is first. */
function waitUntil(at: number, signal: AbortSignal): Promise<void> {
  const ms = at - performance.now();
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Replays `call` into a new session of `ctx.slug`. Never throws for a failed request after the session
 * was created (the outcome carries the error, the session is ended); a refused create rejects with the
 * request's error (`ReplayHttpError`, `ReplayUnreachableError`), which the caller may treat as fatal.
 */
export async function playCall(ctx: PlayContext, call: RecordedCall): Promise<CallOutcome> {
  // The create is not cut off by the stop signal: a session the server made is always ended below.
  const outcome: CallOutcome = { call, sessionId: null, turns: 0, updates: 0, failedUpdates: 0, alerts: 0, finalRun: null, error: null, interrupted: false };
  const query = ctx.version === undefined ? '' : `?version=${ctx.version}`;
  const created = V1SessionCreatedSchema.parse(
    await requestJson(ctx.api, 'POST', `/v1/scenarios/${encodeURIComponent(ctx.slug)}/sessions${query}`, { call_id: call.id, meta: { source: 'mofang replay', file: ctx.file, line: call.line } }),
  );
  const sessionId = created.session_id;
  outcome.sessionId = sessionId;

  const streamStop = new AbortController();
  const onEvent = (event: StreamEvent) => {
    if (event.name === 'session.updated') {
      const updated = SessionUpdatedEventSchema.safeParse(event.data);
      outcome.updates++;
      if (!updated.success || updated.data.error) outcome.failedUpdates++;
    } else if (event.name === 'session.alert') {
      const alert = SessionAlertEventSchema.safeParse(event.data);
      if (alert.success) {
        outcome.alerts++;
        ctx.onAlert(call, alert.data.alert);
      }
    } else if (event.name === 'session.ended') {
      const ended = SessionEndedEventSchema.safeParse(event.data);
      if (ended.success) outcome.finalRun = ended.data.final_run;
    }
  };
  const stream = followEvents(ctx.api, created.events_url, onEvent, streamStop.signal).catch((error: unknown) => {
    outcome.error ??= error;
  });

  try {
    const times = finalisedAt(call.turns, ctx.timing);
    const t0 = performance.now();
    for (const [i, turn] of call.turns.entries()) {
      await waitUntil(t0 + wallMs(times[i] ?? 0, ctx.speed), ctx.stop);
      if (ctx.stop.aborted) {
        outcome.interrupted = true;
        break;
      }
      const reply = (await requestJson(ctx.api, 'POST', `/v1/sessions/${encodeURIComponent(sessionId)}/turns`, { turns: [turn] })) as { accepted?: number };
      outcome.turns += typeof reply?.accepted === 'number' ? reply.accepted : 1;
    }
  } catch (error) {
    outcome.error = error;
  }

  // End it whatever happened: a session left open would sit on the live board until its idle timeout.
  try {
    const ended = V1SessionEndedSchema.parse(await requestJson(ctx.api, 'POST', `/v1/sessions/${encodeURIComponent(sessionId)}/end`, {}));
    outcome.finalRun = ended.final_run;
  } catch (error) {
    outcome.error ??= error;
  }
  // The stream's last events (an alert of the final update, session.ended) may still be on their way.
  const grace = setTimeout(() => streamStop.abort(), STREAM_GRACE_MS);
  await stream;
  clearTimeout(grace);
  streamStop.abort();
  return outcome;
}
