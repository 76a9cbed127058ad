/**
 * The inspection dashboard over the results of jobs run through an audit-shaped scenario: one whose
 * outputs include `score`, `verdict` and `items` (each item `{ id, name, result, fatal, evidence,
 * reason, … }`), as the audit node and the call-quality-audit template produce. Shapes of
 * `GET /api/scenarios/:id/dashboard[/calls]` and `GET /api/dashboard/scenarios`.
 */
import { z } from 'zod';

/** The outputs a scenario must have for the dashboard to read its results. */
export const AUDIT_OUTPUTS = ['score', 'verdict', 'items'] as const;

/** Which of {@link AUDIT_OUTPUTS} a scenario's output names lack (empty: it is audit-shaped). */
export function missingAuditOutputs(outputNames: readonly string[]): string[] {
  return AUDIT_OUTPUTS.filter((name) => !outputNames.includes(name));
}

/** Width of one score histogram bar. */
export const SCORE_BUCKET_WIDTH = 10;

/**
 * The histogram bar a score falls in (its lower bound): bars are [lo, lo + 10), except that 100 belongs
 * to the 90–100 bar and a negative score to the first. The SQL in server/src/jobs/dashboard.ts agrees.
 */
export function scoreBucket(score: number): number {
  return score === 100 ? 90 : Math.max(0, Math.floor(score / SCORE_BUCKET_WIDTH) * SCORE_BUCKET_WIDTH);
}

/** Trend granularity. */
export const TrendIntervalSchema = z.enum(['hour', 'day']);
export type TrendInterval = z.infer<typeof TrendIntervalSchema>;

/** Query of both dashboard routes: one job, or a time range over every job of the scenario. */
export const DashboardQuerySchema = z.object({
  job_id: z.string().min(1).optional(),
  /** Epoch milliseconds, inclusive; on the items' finish time. */
  from: z.coerce.number().int().nonnegative().optional(),
  /** Epoch milliseconds, exclusive. */
  to: z.coerce.number().int().nonnegative().optional(),
  /** Default: hours when the data spans two days or less, else days. */
  interval: TrendIntervalSchema.optional(),
  /** Minutes east of UTC the hours and days are cut in (the browser's zone); default 0. */
  tz: z.coerce.number().int().min(-840).max(840).optional(),
});
export type DashboardQuery = z.infer<typeof DashboardQuerySchema>;

export const ScoreBarSchema = z.object({ from: z.number(), to: z.number(), count: z.number().int() });
export const VerdictCountSchema = z.object({ verdict: z.string(), count: z.number().int() });

/** One audit item over the calls: `fail / (pass + fail)` is its fail rate (`na` is not applicable). */
export const ItemStatSchema = z.object({
  id: z.string(),
  name: z.string(),
  fatal: z.boolean(),
  fail: z.number().int(),
  pass: z.number().int(),
  na: z.number().int(),
  total: z.number().int(),
});
export type ItemStat = z.infer<typeof ItemStatSchema>;

/** A red-line item and how many calls broke it. */
export const FatalStatSchema = z.object({ id: z.string(), name: z.string(), hits: z.number().int() });

/** One hour or day: calls finished in it, their mean score and the share with verdict `fail`. */
export const TrendPointSchema = z.object({
  start: z.string(),
  calls: z.number().int(),
  mean_score: z.number().nullable(),
  fail_rate: z.number().nullable(),
});
export type TrendPoint = z.infer<typeof TrendPointSchema>;

/** `GET /api/scenarios/:id/dashboard`. `audit: false` says which outputs the scenario lacks. */
export const DashboardSchema = z.discriminatedUnion('audit', [
  z.object({ audit: z.literal(false), missing: z.array(z.string()) }),
  z.object({
    audit: z.literal(true),
    job_id: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    /** Succeeded items whose outputs were read. */
    calls: z.number().int(),
    /** Items that failed to run (no outputs to read). */
    failed_runs: z.number().int(),
    mean_score: z.number().nullable(),
    score: z.array(ScoreBarSchema),
    verdicts: z.array(VerdictCountSchema),
    items: z.array(ItemStatSchema),
    fatal: z.array(FatalStatSchema),
    trend: z.object({ interval: TrendIntervalSchema, points: z.array(TrendPointSchema) }),
  }),
]);
export type Dashboard = z.infer<typeof DashboardSchema>;
export type AuditDashboard = Extract<Dashboard, { audit: true }>;

/** What a bar stands for, as `?bucket=` spells it. */
export type DrillBucket =
  | { kind: 'score'; from: number; to: number }
  | { kind: 'item'; id: string; result: 'fail' | 'pass' | 'na' }
  | { kind: 'fatal'; id: string }
  | { kind: 'verdict'; verdict: string }
  | { kind: 'time'; from: number; to: number };

/** Reads `score:40-50`, `item:<id>:fail`, `fatal:<id>`, `verdict:fail` or `time:<ms>-<ms>`; undefined when malformed. */
export function parseBucket(text: string): DrillBucket | undefined {
  const range = /^(score|time):(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text);
  if (range) {
    const from = Number(range[2]);
    const to = Number(range[3]);
    if (!(to > from)) return undefined;
    return range[1] === 'score' ? { kind: 'score', from, to } : { kind: 'time', from, to };
  }
  const item = /^item:(.+):(fail|pass|na)$/.exec(text);
  if (item) return { kind: 'item', id: item[1], result: item[2] === 'pass' ? 'pass' : item[2] === 'na' ? 'na' : 'fail' };
  const fatal = /^fatal:(.+)$/.exec(text);
  if (fatal) return { kind: 'fatal', id: fatal[1] };
  const verdict = /^verdict:(.+)$/.exec(text);
  if (verdict) return { kind: 'verdict', verdict: verdict[1] };
  return undefined;
}

/** The `?bucket=` text of a bar. */
export function formatBucket(bucket: DrillBucket): string {
  switch (bucket.kind) {
    case 'score':
    case 'time':
      return `${bucket.kind}:${bucket.from}-${bucket.to}`;
    case 'item':
      return `item:${bucket.id}:${bucket.result}`;
    case 'fatal':
      return `fatal:${bucket.id}`;
    case 'verdict':
      return `verdict:${bucket.verdict}`;
  }
}

/** One audit item of a call as the drill-down shows it. */
export const CallItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  result: z.string(),
  score: z.number().nullable(),
  weight: z.number().nullable(),
  fatal: z.boolean(),
  evidence: z.array(z.string()),
  reason: z.string(),
});
export type CallItem = z.infer<typeof CallItemSchema>;

/** A call behind a bar: its failing items with their evidence turns. */
export const CallSummarySchema = z.object({
  job_id: z.string(),
  /** The item's id as submitted; masked (`138****5678`) for a user without `pii:read`. */
  item_id: z.string(),
  /** The item's line in its job (1-based): opens the call at `…/calls/:jobId/lines/:line` whatever its id shows. */
  line: z.number().int().optional(),
  run_id: z.string().nullable(),
  score: z.number().nullable(),
  verdict: z.string().nullable(),
  fatal: z.array(z.string()),
  failing: z.array(CallItemSchema),
  finished_at: z.string().nullable(),
});
export type CallSummary = z.infer<typeof CallSummarySchema>;

/** `GET /api/scenarios/:id/dashboard/calls?bucket=`: worst first (lowest score, then most red lines). */
export const CallPageSchema = z.object({ calls: z.array(CallSummarySchema), total: z.number().int(), offset: z.number().int(), limit: z.number().int() });
export type CallPage = z.infer<typeof CallPageSchema>;

/** One turn of the call's transcript, as the job item's inputs held it. */
export const CallTurnSchema = z.object({ id: z.string(), role: z.string(), text: z.string() });

/** `GET /api/scenarios/:id/dashboard/calls/:jobId/:itemId`: every audit item, and the transcript when the inputs had one. */
export const CallDetailSchema = CallSummarySchema.extend({
  items: z.array(CallItemSchema),
  /** True when the built-in simulator answered this call's run (its verdict is made up). */
  simulated: z.boolean().optional(),
  report: z.string().nullable(),
  transcript: z.array(CallTurnSchema).nullable(),
  /** When the transcript retention cleared the job's inputs (the transcript is then null); null while kept. */
  redacted_at: z.string().nullable().optional(),
});
export type CallDetail = z.infer<typeof CallDetailSchema>;

/** `GET /api/dashboard/scenarios`: published scenarios a job can run through. */
export const JobScenarioSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  live_version: z.number().int(),
  latest_version: z.number().int(),
  /** The live version's outputs are audit-shaped. */
  audit: z.boolean(),
});
export type JobScenario = z.infer<typeof JobScenarioSchema>;
export const JobScenarioListSchema = z.object({ scenarios: z.array(JobScenarioSchema) });
