/**
 * Alerts of live call sessions (实时预警): rules a scenario declares on its outputs (and on what the
 * caller says), checked after every update of a session; a rule that matches raises an alert once per
 * session, pushed on the session's stream, to the scenario's webhook (signed per the Standard Webhooks
 * spec, https://www.standardwebhooks.com: `webhook-id`, `webhook-timestamp`, `webhook-signature`
 * `v1,<base64 HMAC-SHA256>`, retried with backoff) and to the supervisors' live board.
 * Shapes of `/api/scenarios/:id/alert-rules`.
 */
import { z } from 'zod';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export const AlertSeveritySchema = z.enum(ALERT_SEVERITIES);
export type AlertSeverity = z.infer<typeof AlertSeveritySchema>;

export const ALERT_RULE_KINDS = ['red_line', 'equals', 'one_of', 'at_least', 'at_most', 'is_true', 'keyword'] as const;
export type AlertRuleKind = (typeof ALERT_RULE_KINDS)[number];

/** An end output, or a field of an object output: `risk_level`, `intent.label`, `work_order.phone`. */
const OutputPath = z.string().trim().min(1).max(200);
const Scalar = z.union([z.string().max(200), z.number(), z.boolean()]);

const RuleBase = {
  /** Stable id, generated when absent (`r1`, `r2`, …); alerts and the audit log name it. */
  id: z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a rule id has 1–40 letters, digits, _ or -').optional(),
  /** What the supervisor reads, e.g. 客户要求升级投诉. */
  name: z.string().trim().min(1).max(100),
  severity: AlertSeveritySchema.default('warning'),
};

/** One rule. */
export const AlertRuleSchema = z.discriminatedUnion('kind', [
  /** An audit output with a red-line (fatal) item failed, a non-empty list of red-line ids, or the verdict `fail`. */
  z.object({ ...RuleBase, kind: z.literal('red_line'), output: OutputPath }),
  /** The value at `output` equals `value` (a classifier's label, a risk level). */
  z.object({ ...RuleBase, kind: z.literal('equals'), output: OutputPath, value: Scalar }),
  /** The value at `output` is one of `values`. */
  z.object({ ...RuleBase, kind: z.literal('one_of'), output: OutputPath, values: z.array(Scalar).min(1).max(50) }),
  /** A number at `output` at or above `value` (a risk score). */
  z.object({ ...RuleBase, kind: z.literal('at_least'), output: OutputPath, value: z.number() }),
  /** A number at `output` at or below `value` (a satisfaction score). */
  z.object({ ...RuleBase, kind: z.literal('at_most'), output: OutputPath, value: z.number() }),
  /** A boolean at `output` is true (e.g. `asks_supervisor`). */
  z.object({ ...RuleBase, kind: z.literal('is_true'), output: OutputPath }),
  /** A turn of `role` contains one of `words` (e.g. the customer says 投诉 / 找你们领导 / 12300). */
  z.object({ ...RuleBase, kind: z.literal('keyword'), role: z.enum(['customer', 'agent', 'any']).default('customer'), words: z.array(z.string().trim().min(1).max(50)).min(1).max(50) }),
]);
export type AlertRule = z.infer<typeof AlertRuleSchema>;

/** Most rules one scenario may hold. */
export const MAX_ALERT_RULES = 30;

/** `PUT /api/scenarios/:id/alert-rules`. */
export const AlertSettingsBodySchema = z.object({
  rules: z.array(AlertRuleSchema).max(MAX_ALERT_RULES),
  /** The output the live board shows as the call's current risk (e.g. `risk_level`); null: none. */
  risk_output: OutputPath.nullable().default(null),
  /** Where alerts are POSTed (http or https; the outbound-request guard applies); null: no webhook. */
  webhook_url: z.string().trim().url().max(2000).nullable().default(null),
  /** Make a new signing secret (the reply shows it once); one is made anyway when a webhook is first set. */
  rotate_secret: z.boolean().default(false),
});
export type AlertSettingsBody = z.input<typeof AlertSettingsBodySchema>;

/** An output (or a field of an object output) a rule may name, as the rules editor offers it. */
export const AlertOutputInfoSchema = z.object({
  /** `risk_level`, or `intent.label` for a field. */
  path: z.string(),
  /** Its type as declared (`string`, `number`, `enum("low", "high")`, `any`, …). */
  type: z.string(),
  /** The values it may take (an enum's), for `equals` / `one_of`; absent when any. */
  values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Its human name where the graph declares one (a labelled field of an extract or LLM node: 联系电话 for `work_order.phone`). */
  label: z.string().optional(),
});
export type AlertOutputInfo = z.infer<typeof AlertOutputInfoSchema>;

/** `GET|PUT /api/scenarios/:id/alert-rules`. */
export const AlertSettingsSchema = z.object({
  scenario_id: z.string(),
  rules: z.array(AlertRuleSchema.and(z.object({ id: z.string() }))),
  risk_output: z.string().nullable(),
  webhook_url: z.string().nullable(),
  /** Whether a signing secret exists (it is shown only in the reply that made it). */
  webhook_secret_set: z.boolean(),
  /** Only in the reply of the PUT that made a new secret: `whsec_<base64>`, as Standard Webhooks libraries take it. */
  webhook_secret: z.string().optional(),
  /** The outputs and fields rules may name: the live version's end outputs, else the draft's. */
  available: z.array(AlertOutputInfoSchema),
  /** `live` (version N) or `draft` (not published yet): what the rules were checked against. */
  checked_against: z.object({ kind: z.enum(['live', 'draft']), version: z.number().int().nullable() }),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});
export type AlertSettings = z.infer<typeof AlertSettingsSchema>;

/** Where a webhook delivery stands: `pending` (sending or waiting to retry), `delivered`, `failed` (given up). */
export const ALERT_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

/** One webhook delivery of an alert, as `GET /api/scenarios/:id/alert-deliveries` lists it (newest first). */
export const AlertDeliverySchema = z.object({
  /** Also the `webhook-id` header the receiver saw. */
  id: z.string(),
  session_id: z.string(),
  alert_id: z.string(),
  rule_id: z.string().nullable(),
  alert_name: z.string().nullable(),
  severity: AlertSeveritySchema.nullable(),
  url: z.string(),
  status: z.enum(ALERT_DELIVERY_STATUSES),
  attempts: z.number().int(),
  /** The last reply's HTTP status; null: none (no attempt yet, or no reply). */
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
  delivered_at: z.string().nullable(),
});
export type AlertDelivery = z.infer<typeof AlertDeliverySchema>;

/** One alert raised in a session. */
export const SessionAlertSchema = z.object({
  id: z.string(),
  rule_id: z.string(),
  name: z.string(),
  severity: AlertSeveritySchema,
  kind: z.enum(ALERT_RULE_KINDS),
  /** The output path the rule read (null for `keyword`). */
  output: z.string().nullable(),
  /** The value that matched (the output's value, or the turn's text for `keyword`). */
  value: z.unknown(),
  /** The last turn the matching update had read (for `keyword`, the turn that said it). */
  turn_id: z.string().nullable(),
  at: z.string(),
});
export type SessionAlert = z.infer<typeof SessionAlertSchema>;

/** What the webhook receives (`POST`, JSON), signed with the scenario's secret. */
export const AlertWebhookPayloadSchema = z.object({
  type: z.literal('session.alert'),
  scenario: z.string(),
  version: z.number().int(),
  session_id: z.string(),
  call_id: z.string().nullable(),
  alert: SessionAlertSchema,
  /** The session's outputs at the update that raised it. */
  outputs: z.record(z.string(), z.unknown()),
});
export type AlertWebhookPayload = z.infer<typeof AlertWebhookPayloadSchema>;
