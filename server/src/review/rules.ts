/**
 * Review rules as pure functions: how each end output is reviewed (its kind, from its JSON Schema),
 * whether a scenario's rules fit its end outputs, and which rules a result matches. No storage, no model
 * call: matching runs on the hot path of every `/v1` run and job item of a scenario with rules.
 */
import { createHash } from 'node:crypto';
import { isRecord } from '@shared/json.js';
import { isAnySchema, withoutNull, type JsonSchema } from '@shared/json-schema.js';
import type { ReviewOutputKind, ReviewReason, ReviewRule, ReviewRulesBody } from '@shared/review.js';
import { DomainError } from '../common/domain-error.js';
import { redLineHit } from '../common/red-line.js';

/** An end output as the rules see it: its name, declared type and JSON Schema. */
export interface EndOutput {
  name: string;
  type: string;
  description: string;
  schema: JsonSchema;
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

function isAuditItemSchema(schema: JsonSchema | undefined): boolean {
  const props = schema ? withoutNull(schema).properties : undefined;
  return !!props && 'id' in props && 'result' in props;
}

/** How the review page shows an output of this schema: a form, an audit sheet, a label, a flag, a number, text or JSON. */
export function reviewKind(raw: JsonSchema): ReviewOutputKind {
  const schema = withoutNull(raw);
  const type = typeOf(schema);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return 'label';
  if (type === 'boolean') return 'boolean';
  if (type === 'number' || type === 'integer') return 'number';
  if (type === 'array') return isAuditItemSchema(schema.items) ? 'audit' : 'json';
  if (type === 'object' || schema.properties) {
    const props = schema.properties ?? {};
    if ('items' in props && isAuditItemSchema(withoutNull(props.items).items)) return 'audit';
    return Object.keys(props).length > 0 ? 'form' : 'json';
  }
  if (type === 'string') return 'text';
  return 'json';
}

/** Whether `schema` can hold a confidence: a number, an object with a numeric `confidence`, or anything (an `auto` output). */
function holdsConfidence(raw: JsonSchema): boolean {
  const schema = withoutNull(raw);
  const type = typeOf(schema);
  if (isAnySchema(schema) || type === 'number' || type === 'integer') return true;
  const confidence = schema.properties?.confidence;
  return confidence !== undefined && ['number', 'integer'].includes(typeOf(withoutNull(confidence)) ?? '');
}

/** Whether `schema` can show a red-line hit ({@link redLineHit}): an audit sheet or its items, a list of red-line ids, a verdict, or anything. */
export function holdsRedLine(raw: JsonSchema): boolean {
  const schema = withoutNull(raw);
  const type = typeOf(schema);
  if (isAnySchema(schema) || reviewKind(schema) === 'audit') return true;
  if (type === 'array') return schema.items === undefined || isAnySchema(withoutNull(schema.items)) || typeOf(withoutNull(schema.items)) === 'string';
  if (type === 'object') return schema.properties !== undefined && ('fatal' in schema.properties || 'verdict' in schema.properties);
  return type === 'string' && (!Array.isArray(schema.enum) || schema.enum.includes('fail'));
}

function refuse(code: string, message: string, details: Record<string, unknown>): never {
  throw new DomainError('invalid', code, message, details);
}

/**
 * Checks rules against a version's end outputs. Throws 400 `unknown_review_output` (details: `path`,
 * `output`, `allowed`), `review_output_not_number` (low_confidence on an output holding no confidence),
 * `review_output_not_audit` (red_line on an output with no red-line), `review_outputs_same` (a
 * disagreement of an output with itself), `duplicate_review_rule` (two `always` or two samples).
 */
export function checkRules(body: ReviewRulesBody, outputs: EndOutput[]): void {
  const allowed = outputs.map((o) => o.name);
  const find = (name: string, path: string): EndOutput => {
    const output = outputs.find((o) => o.name === name);
    if (!output) refuse('unknown_review_output', `${path}: "${name}" is not an end output of the scenario (outputs: ${allowed.join(', ') || 'none'})`, { path, output: name, allowed });
    return output;
  };
  body.outputs.forEach((name, i) => find(name, `outputs.${i}`));
  const seen = new Set<string>();
  body.rules.forEach((rule, i) => {
    const path = `rules.${i}`;
    if ((rule.kind === 'always' || rule.kind === 'daily_sample') && seen.has(rule.kind)) refuse('duplicate_review_rule', `${path}: the scenario already has a ${rule.kind} rule`, { path, kind: rule.kind });
    seen.add(rule.kind);
    if (rule.kind === 'low_confidence') {
      const output = find(rule.output, `${path}.output`);
      if (!holdsConfidence(output.schema)) refuse('review_output_not_number', `${path}.output: "${output.name}" (${output.type}) holds no confidence: name a number output, or a classifier's whole output`, { path: `${path}.output`, output: output.name, type: output.type });
    } else if (rule.kind === 'red_line') {
      const output = find(rule.output, `${path}.output`);
      if (!holdsRedLine(output.schema)) refuse('review_output_not_audit', `${path}.output: "${output.name}" (${output.type}) is not an audit result: name an audit's items, its red-line ids (fatal) or its verdict`, { path: `${path}.output`, output: output.name, type: output.type });
    } else if (rule.kind === 'disagreement') {
      const [a, b] = rule.outputs;
      find(a, `${path}.outputs.0`);
      find(b, `${path}.outputs.1`);
      if (a === b) refuse('review_outputs_same', `${path}.outputs: a disagreement compares two different outputs`, { path: `${path}.outputs`, output: a });
    }
  });
}

/** A value as compared for agreement: text trimmed, lower-cased and full-width folded; anything else as canonical JSON. */
function comparable(value: unknown): string {
  if (typeof value === 'string') return value.normalize('NFKC').trim().toLowerCase();
  if (Array.isArray(value)) return `[${value.map(comparable).join(',')}]`;
  if (isRecord(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${comparable(value[k])}`).join(',')}}`;
  return JSON.stringify(value ?? null);
}

function confidenceOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (isRecord(value) && typeof value.confidence === 'number') return value.confidence;
  return undefined;
}

/** A number in [0, 1) fixed by the seed, the scenario and the result: the same result is always in or out of the sample. */
export function sampleDraw(seed: string, scenarioId: string, sourceKey: string): number {
  const digest = createHash('sha256').update(`${seed}\u0000${scenarioId}\u0000${sourceKey}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** What matching needs besides the outputs: the sample's identity and how many it took today. */
export interface MatchContext {
  scenarioId: string;
  sourceKey: string;
  /** How many results today's sample holds already (read only when the draw is in). */
  sampledToday: () => number;
}

/**
 * The reasons a result enters the queue, one per matching rule (empty: it does not). `daily_sample`
 * takes a result when its {@link sampleDraw} is below `percent` and today's sample is not full.
 */
export function matchRules(rules: ReviewRule[], outputs: Record<string, unknown>, context: MatchContext): ReviewReason[] {
  const reasons: ReviewReason[] = [];
  for (const rule of rules) {
    if (rule.kind === 'always') reasons.push({ code: 'always' });
    else if (rule.kind === 'low_confidence') {
      const value = confidenceOf(outputs[rule.output]);
      if (value !== undefined && value < rule.below) reasons.push({ code: 'low_confidence', output: rule.output, value, threshold: rule.below });
    } else if (rule.kind === 'red_line') {
      const hit = redLineHit(outputs[rule.output]);
      if (hit.items.length > 0 || hit.verdict) reasons.push({ code: 'red_line', output: rule.output, items: hit.items, ...(hit.verdict ? { value: 'fail' } : {}) });
    } else if (rule.kind === 'disagreement') {
      const [a, b] = rule.outputs;
      const left = outputs[a];
      const right = outputs[b];
      if (left !== undefined && left !== null && right !== undefined && right !== null && comparable(left) !== comparable(right)) reasons.push({ code: 'disagreement', outputs: [a, b], value: [left, right] });
    } else if (rule.kind === 'daily_sample') {
      const inDraw = sampleDraw(rule.seed, context.scenarioId, context.sourceKey) < rule.percent / 100;
      if (inDraw && (rule.max_per_day === undefined || context.sampledToday() < rule.max_per_day)) reasons.push({ code: 'daily_sample', threshold: rule.percent });
    }
  }
  return reasons;
}
