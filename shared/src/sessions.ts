/**
 * Live call sessions (实时通话): a contact-center system streams the turns of a call as the speech
 * recogniser finalises them, and a published scenario re-evaluates on the transcript so far. Shapes of
 * `/v1/scenarios/{slug}/sessions`, `/v1/sessions/{id}/…` (key-authenticated, in the OpenAPI documents) and
 * of the events their SSE streams carry (`session.updated`, `session.alert`, `session.ended`; the desk's
 * and the board's streams add `session.turns` and `session.started`).
 *
 * Times: `start`/`end` of a turn are seconds from the start of the call (as recognisers report them);
 * `*_at` are ISO 8601; `*_ms` are milliseconds.
 */
import { z } from 'zod';
import { RunErrorSchema } from './events.js';
import { SessionAlertSchema } from './alerts.js';
import { turnTimesInOrder } from './transcript.js';

/** Most turns one `POST …/turns` may carry. */
export const MAX_TURNS_PER_POST = 100;
/** Most turns one session may hold (a 2-hour call at one turn every 4 s is 1,800). */
export const MAX_SESSION_TURNS = 5_000;
/**
 * Most characters of text one session may hold over all its turns (a 4-hour call is under 100,000): each
 * update reads the whole call, and a session's turns stay in memory until it ends.
 */
export const MAX_SESSION_TEXT = 1_000_000;
/** Longest text of one turn, characters. */
export const MAX_TURN_TEXT = 20_000;
/** Longest turn id and call id, characters. */
export const MAX_SESSION_ID_TEXT = 128;

/** One finalised turn as the caller sends it; without an `id` it is numbered by its place in the call (`t<n>`). */
export const SessionTurnInputSchema = z.object({
  id: z.union([z.string().trim().min(1).max(MAX_SESSION_ID_TEXT), z.number().int().nonnegative()]).optional(),
  role: z.string().trim().min(1).max(32),
  text: z.string().max(MAX_TURN_TEXT),
  start: z.number().nonnegative().optional(),
  end: z.number().nonnegative().optional(),
}).refine(turnTimesInOrder, { message: 'a turn cannot end before it starts (end < start)', path: ['end'], params: { rule: 'turn_end_before_start' } });
export type SessionTurnInput = z.infer<typeof SessionTurnInputSchema>;

/** A turn as stored and shown: id always set, role canonical (`agent`, `customer`, `system`, or as sent). */
export const SessionTurnSchema = z.object({
  id: z.string(),
  role: z.string(),
  text: z.string(),
  start: z.number().optional(),
  end: z.number().optional(),
  /** Its place in the call, from 1. */
  seq: z.number().int(),
});
export type SessionTurn = z.infer<typeof SessionTurnSchema>;

/**
 * `POST /v1/scenarios/{slug}/sessions` (`?version=N` pins a version; default the live one). `inputs` fills
 * the scenario's other start inputs (not the transcript, which the turns make); `meta` is kept with the
 * transcript (`transcript.meta`), with `call_id` in it.
 */
export const V1SessionCreateBodySchema = z
  .object({
    call_id: z.string().trim().min(1).max(MAX_SESSION_ID_TEXT).optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type V1SessionCreateBody = z.infer<typeof V1SessionCreateBodySchema>;

/** `POST /v1/scenarios/{slug}/sessions` → 201. */
export const V1SessionCreatedSchema = z.object({
  session_id: z.string(),
  scenario: z.string(),
  version: z.number().int(),
  call_id: z.string().nullable(),
  status: z.literal('active'),
  created_at: z.string(),
  /** The session's idle timeout: with no turn for this long it ends by itself (`reason: idle`). */
  idle_timeout_ms: z.number().int(),
  /** The event stream (`GET`, SSE). */
  events_url: z.string(),
  /** The agent desk of this session, absolute, with a token that opens this session only (until it has ended a day). */
  desk_url: z.string(),
});
export type V1SessionCreated = z.infer<typeof V1SessionCreatedSchema>;

/** `POST /v1/sessions/{id}/turns`. Turns are idempotent by id: one already held is counted as a duplicate, not added. */
export const V1SessionTurnsBodySchema = z.object({ turns: z.array(SessionTurnInputSchema).min(1).max(MAX_TURNS_PER_POST) }).strict();
export type V1SessionTurnsBody = z.infer<typeof V1SessionTurnsBodySchema>;

/** `POST /v1/sessions/{id}/turns` → 202: the turns are held; an update follows on the event stream. */
export const V1SessionTurnsReplySchema = z.object({
  session_id: z.string(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  turn_count: z.number().int(),
});
export type V1SessionTurnsReply = z.infer<typeof V1SessionTurnsReplySchema>;

/** How one output path moved between two updates. */
export const SessionChangeSchema = z.object({
  /** The output and, for an object output, the field: `risk_level`, `work_order.phone`. */
  path: z.string(),
  /** `filled`: was empty (null, '', []) and now has a value; `changed`: another value; `cleared`: now empty. */
  kind: z.enum(['filled', 'changed', 'cleared']),
  from: z.unknown(),
  to: z.unknown(),
});
export type SessionChange = z.infer<typeof SessionChangeSchema>;

/** The model work of one update (or the final run). */
export const SessionUpdateStatsSchema = z.object({
  /** Wall time of the update's run, ms. */
  latency_ms: z.number(),
  /** Model calls sent to an endpoint. */
  model_calls: z.number().int(),
  /** Model calls answered from the session's node cache (same node, same rendered request as before). */
  reused_calls: z.number().int(),
  /** Turns this update took in (more than 1 when turns arrived while the previous update ran: coalesced). */
  turns: z.number().int(),
  simulated: z.boolean(),
});
export type SessionUpdateStats = z.infer<typeof SessionUpdateStatsSchema>;

/** `session.updated`: the scenario's outputs on the transcript so far, and what changed since the last update. */
export const SessionUpdatedEventSchema = z.object({
  session_id: z.string(),
  /** The update's number in the session, from 1. */
  update: z.number().int(),
  turn_count: z.number().int(),
  /** The last turn the update read. */
  last_turn_id: z.string().nullable(),
  /** The end node's outputs; outputs of "final only" nodes (and what needs them) are null until the end. */
  outputs: z.record(z.string(), z.unknown()),
  changes: z.array(SessionChangeSchema),
  /** Set when this update's run failed (the outputs are then the last good ones, `changes` empty). */
  error: RunErrorSchema.optional(),
  stats: SessionUpdateStatsSchema,
  at: z.string(),
});
export type SessionUpdatedEvent = z.infer<typeof SessionUpdatedEventSchema>;

/** `session.alert`: an alert rule of the scenario matched. */
export const SessionAlertEventSchema = z.object({ session_id: z.string(), alert: SessionAlertSchema });
export type SessionAlertEvent = z.infer<typeof SessionAlertEventSchema>;

/** Why a session ended: the caller ended it, it was idle past its timeout, or passed the longest call allowed. */
export const SESSION_END_REASONS = ['ended', 'idle', 'max_duration'] as const;
export const SessionEndReasonSchema = z.enum(SESSION_END_REASONS);
export type SessionEndReason = z.infer<typeof SessionEndReasonSchema>;

/** The final run on the whole call, stored like any `/v1` run (`GET /v1/runs/{run_id}`). */
export const SessionFinalRunSchema = z.object({
  run_id: z.string(),
  status: z.enum(['succeeded', 'failed']),
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: RunErrorSchema.optional(),
  latency_ms: z.number(),
  simulated: z.boolean(),
});
export type SessionFinalRun = z.infer<typeof SessionFinalRunSchema>;

/** `session.ended`: the session is over; its final run is done. The stream closes after it. */
export const SessionEndedEventSchema = z.object({
  session_id: z.string(),
  reason: SessionEndReasonSchema,
  turn_count: z.number().int(),
  final_run: SessionFinalRunSchema,
  at: z.string(),
});
export type SessionEndedEvent = z.infer<typeof SessionEndedEventSchema>;

/** `session.turns` (desk and board streams only): turns newly held, in call order. */
export const SessionTurnsEventSchema = z.object({ session_id: z.string(), turns: z.array(SessionTurnSchema), turn_count: z.number().int() });
export type SessionTurnsEvent = z.infer<typeof SessionTurnsEventSchema>;

export const SESSION_STATUSES = ['active', 'ending', 'ended'] as const;
export const SessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

/** A session's running figures (also summed in `npm run bench:sessions`). */
export const SessionMetricsSchema = z.object({
  turns: z.number().int(),
  updates: z.number().int(),
  /** Model calls sent, and answered from the node cache, over all updates and the final run. */
  model_calls: z.number().int(),
  reused_calls: z.number().int(),
  /**
   * Of the prompt characters sent, the share that repeated the start of the same node's previous prompt
   * in this session: what an endpoint's prefix cache (vLLM automatic prefix caching, MindIE's) can reuse.
   */
  prompt_prefix_reuse: z.number(),
  /** Ms from a turn's arrival to the `session.updated` that first reflected it: median and 99th percentile. */
  lag_ms_p50: z.number().nullable(),
  lag_ms_p99: z.number().nullable(),
});
export type SessionMetrics = z.infer<typeof SessionMetricsSchema>;

/** `GET /v1/sessions/{id}`: the session as it stands. */
export const V1SessionSchema = z.object({
  session_id: z.string(),
  scenario: z.string(),
  version: z.number().int(),
  call_id: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()).nullable(),
  status: SessionStatusSchema,
  turn_count: z.number().int(),
  /** The latest update's outputs (the final run's once ended and succeeded); null before the first update. */
  outputs: z.record(z.string(), z.unknown()).nullable(),
  alerts: z.array(SessionAlertSchema),
  created_at: z.string(),
  last_turn_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  end_reason: SessionEndReasonSchema.nullable(),
  final_run_id: z.string().nullable(),
  metrics: SessionMetricsSchema,
});
export type V1Session = z.infer<typeof V1SessionSchema>;

/** `POST /v1/sessions/{id}/end` → 200: the session as ended, with its final run. */
export const V1SessionEndedSchema = V1SessionSchema.extend({ final_run: SessionFinalRunSchema });
/** The 202 of `POST /v1/sessions/{id}/end`: still ending after the wait (several servers), no final run yet. */
export const V1SessionEndingSchema = V1SessionSchema.extend({ final_run: SessionFinalRunSchema.nullable() });
export type V1SessionEnded = z.infer<typeof V1SessionEndedSchema>;

/** Event names of the session streams. */
export const SESSION_EVENTS = ['session.started', 'session.turns', 'session.updated', 'session.alert', 'session.ended'] as const;
export type SessionEventName = (typeof SESSION_EVENTS)[number];
