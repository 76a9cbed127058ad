/**
 * The live pages over call sessions: the supervisors' board (班长实时看板, `GET /api/live/sessions`,
 * stream `GET /api/live/events`) and the agent desk (坐席助手, `GET /api/live/sessions/:id`, stream
 * `…/events`, confirm `POST …/confirm`). Signed-in users need `live:read` (and `pii:read` to see customers'
 * data unmasked); the desk also opens with the session's desk token (the `desk_url` of the session's
 * creation reply), which reads and confirms that one session only.
 */
import { z } from 'zod';
import { AlertSeveritySchema, SessionAlertSchema } from './alerts.js';
import { ReviewOutputViewSchema } from './review.js';
import { SessionEndReasonSchema, SessionFinalRunSchema, SessionMetricsSchema, SessionStatusSchema, SessionTurnSchema } from './sessions.js';

/** One session as the board lists it. */
export const LiveSessionSummarySchema = z.object({
  session_id: z.string(),
  scenario_id: z.string(),
  scenario_name: z.string(),
  slug: z.string(),
  version: z.number().int(),
  call_id: z.string().nullable(),
  status: SessionStatusSchema,
  turn_count: z.number().int(),
  /** The value of the scenario's risk output (`risk_output` of its alert settings) at the latest update; null when none. */
  risk: z.unknown(),
  /** The newest alerts first (at most 5), and how many in all. */
  alerts: z.array(SessionAlertSchema),
  alert_count: z.number().int(),
  /** The highest severity among its alerts; null without alerts. */
  top_severity: AlertSeveritySchema.nullable(),
  simulated: z.boolean(),
  created_at: z.string(),
  last_turn_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  end_reason: SessionEndReasonSchema.nullable(),
});
export type LiveSessionSummary = z.infer<typeof LiveSessionSummarySchema>;

/** `GET /api/live/sessions?status=active|ended|all&scenario=<id>`: newest activity first. */
export const LiveSessionListSchema = z.object({
  sessions: z.array(LiveSessionSummarySchema),
  counts: z.object({ active: z.number().int(), alerting: z.number().int() }),
});
export type LiveSessionList = z.infer<typeof LiveSessionListSchema>;

/** What the agent confirmed (or corrected) on the desk. */
export const LiveConfirmationSchema = z.object({
  outputs: z.record(z.string(), z.unknown()),
  /** True when the agent changed a value the model gave. */
  corrected: z.boolean(),
  by: z.string(),
  at: z.string(),
  /** The evaluation case the confirmation wrote (the scenario's 人工复核 set), when it did. */
  case: z.object({ set_id: z.string(), case_id: z.string(), revision: z.number().int() }).nullable(),
  /** The agent's note with the confirmation, if any. */
  note: z.string().optional(),
});
export type LiveConfirmation = z.infer<typeof LiveConfirmationSchema>;

/** `GET /api/live/sessions/:id`: everything the desk shows. */
export const LiveSessionDetailSchema = LiveSessionSummarySchema.extend({
  turns: z.array(SessionTurnSchema),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  /** The end outputs as the desk shows and edits them, form fields with their evidence turn ids. */
  views: z.array(ReviewOutputViewSchema),
  all_alerts: z.array(SessionAlertSchema),
  final_run: SessionFinalRunSchema.nullable(),
  confirmation: LiveConfirmationSchema.nullable(),
  metrics: SessionMetricsSchema,
});
export type LiveSessionDetail = z.infer<typeof LiveSessionDetailSchema>;

/** `POST /api/live/sessions/:id/confirm`: the outputs as the agent confirms them (those not named stay as the model gave them). */
export const LiveConfirmBodySchema = z.object({ outputs: z.record(z.string(), z.unknown()).default({}), note: z.string().max(2000).default('') }).strict();
export type LiveConfirmBody = z.input<typeof LiveConfirmBodySchema>;

/** `session.alert` on the board's stream (`GET /api/live/events`): the alert, with the session as the board lists it after it. */
export const LiveBoardAlertSchema = z.object({ session_id: z.string(), alert: SessionAlertSchema, session: LiveSessionSummarySchema });
export type LiveBoardAlert = z.infer<typeof LiveBoardAlertSchema>;
