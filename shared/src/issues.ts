/**
 * Zod issues as data a reader's language can be rendered from: the issue's code and its parameters
 * (bounds, expected type, format, allowed values), never only zod's English sentence. The API's 400
 * replies (`details`) and the compiler's config problems carry these; the client translates them.
 */
import type { z } from 'zod';

/**
 * The hand-written checks (`.refine`, `ctx.addIssue`) of the API's schemas, each named by the `rule` in its
 * `params` so the client says it in the reader's language (`validation.rule.<rule>`) instead of zod's
 * `custom` English; `codes.test.ts` fails on a refinement without one and on a rule without zh/en text.
 */
export const CUSTOM_RULES = [
  'display_name_unshowable',
  'version_semver',
  'models_required',
  'models_too_many',
  'iso_date_time',
  'from_before_to',
  'bump_or_version',
  'time_or_epoch',
  'page_cursor',
  'mapping_too_many',
  'gate_needs_bar',
  'case_id_reserved',
  'turn_end_before_start',
] as const;
export type CustomRule = (typeof CUSTOM_RULES)[number];

/** Parameters of one issue: plain strings and numbers, so i18n interpolation can use them directly. */
export type IssueParams = Record<string, string | number>;

/** One failing path of a validated body: `path` dotted (`''` for the root), zod's `code` and its parameters. */
export interface IssueDetail {
  path: string;
  /** zod's issue code: `too_small`, `too_big`, `invalid_type`, `invalid_format`, `invalid_value`, `unrecognized_keys`, `custom`, … */
  code: string;
  /** zod's English message, for logs, tools and the CLI. */
  message: string;
  params: IssueParams;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : JSON.stringify(value) ?? String(value);
}

/**
 * The parameters of a zod issue: `origin` (string, number, array…), `minimum` / `maximum` and `inclusive`
 * (`1` or `0`) for size checks, `expected` for a type, `format` and `pattern` for formats, `values` and
 * `keys` joined with `, `, `divisor` for multiples, `missing: 1` for a required value that was absent.
 */
export function issueParams(issue: z.core.$ZodIssue): IssueParams {
  const params: IssueParams = {};
  const record = issue as unknown as Record<string, unknown>;
  for (const key of ['origin', 'expected', 'format', 'prefix', 'suffix', 'includes', 'divisor'] as const) {
    const value = record[key];
    if (value !== undefined) params[key] = typeof value === 'number' ? value : text(value);
  }
  for (const key of ['minimum', 'maximum'] as const) {
    const value = record[key];
    if (typeof value === 'number') params[key] = value;
    else if (typeof value === 'bigint') params[key] = Number(value);
    else if (value instanceof Date) params[key] = value.toISOString();
  }
  if (typeof record.inclusive === 'boolean') params.inclusive = record.inclusive ? 1 : 0;
  // zod writes a pattern as `/source/flags`; the source alone names it.
  if (record.pattern instanceof RegExp) params.pattern = record.pattern.source;
  else if (typeof record.pattern === 'string') params.pattern = /^\/(.*)\/[a-z]*$/s.exec(record.pattern)?.[1] ?? record.pattern;
  // zod 4 keeps no input in an issue; its message is the one place that says the value was missing.
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) params.missing = 1;
  if (Array.isArray(record.values)) params.values = record.values.map(text).join(', ');
  if (Array.isArray(record.keys)) params.keys = record.keys.map(text).join(', ');
  // A refinement's own parameters (e.g. `{ reserved: 'simulator' }`) name what it checks.
  if (issue.code === 'custom' && record.params && typeof record.params === 'object') {
    for (const [key, value] of Object.entries(record.params as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number') params[key] = value;
    }
  }
  return params;
}

/** A zod error's issues as {@link IssueDetail}s with dotted paths, prefixed by `prefix` when given. */
export function issueDetails(issues: readonly z.core.$ZodIssue[], prefix = ''): IssueDetail[] {
  return issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    code: issue.code,
    message: issue.message,
    params: issueParams(issue),
  }));
}
