import { z } from 'zod';
import type { JsonSchema } from '../json-schema.js';
import type { ConfigIssueCode } from '../problems.js';

/** What travels along an edge. Every kind of the first set passes control (`flow`); the check is general. */
export type PortType = 'flow';

export interface PortDef {
  /** Stable id: a class's id for a classifier, never an array index. */
  id: string;
  /** What the canvas shows: a name the user gave (a class's name), or the fixed port's Chinese label. */
  label: string;
  /** A fixed port's label in each UI language (`是` / `Yes`); absent for ports named by the user. */
  labels?: { zh: string; en: string };
  type: PortType;
}

/** A config field that holds a template, with what its value must be. */
export interface TemplateField {
  /** Dotted path of the field in the config, e.g. `user` or `outputs.0.value`. */
  field: string;
  source: string;
  /** `text` renders to a string; `value` keeps a lone `{{ ref }}` typed (an object stays an object). */
  mode: 'text' | 'value';
  /**
   * Set when the value must exist on every path the node runs on, to the name a designer knows it by
   * (an end output's name): a lone reference to a node that may have been skipped is then a compile
   * error instead of a null at run time.
   */
  required?: string;
}

/**
 * A problem found in a config beyond its zod schema: a stable `code` with the `params` its text
 * interpolates (client i18n key `problem.invalid_config_<code>`), and an English `message` for tools.
 */
export interface ConfigIssue {
  field: string;
  code: ConfigIssueCode;
  message: string;
  params?: Record<string, string | number>;
}

/** Given a template, the JSON Schema of the value it yields (`{}` when unknown). */
export type TypeOfTemplate = (source: string) => JsonSchema;

export type NodeCategory = 'io' | 'ai' | 'logic' | 'data' | 'integration';

/**
 * What a kind is to the engine, so the engine never tests a kind by its name:
 * `entry` takes the run's inputs (one per graph); `exit` gives its outputs (one per graph);
 * `branch` takes exactly one of its output ports; `join` reads whichever of its references ran (a
 * skipped reference is passed over, never read as empty); `step` is everything else.
 */
export type NodeRole = 'entry' | 'exit' | 'branch' | 'join' | 'step';

/** One node kind's pure definition, shared by the server (compile, run) and the client (canvas, panels). */
export interface NodeDefinition<C = unknown> {
  kind: string;
  version: number;
  category: NodeCategory;
  role: NodeRole;
  label: { zh: string; en: string };
  description: { zh: string; en: string };
  configSchema: z.ZodType<C>;
  defaults(): C;
  inputs(config: C): PortDef[];
  outputs(config: C): PortDef[];
  /** The JSON Schema of what the node outputs, the target of `{{ node_id.… }}` references. */
  outputSchema(config: C, typeOf: TypeOfTemplate): JsonSchema;
  /** The config's template fields, parsed and checked once at compile time. */
  templates(config: C): TemplateField[];
  /** Checks a zod schema cannot express (unique names, a valid regex, types of references). */
  validate?(config: C, typeOf: TypeOfTemplate): ConfigIssue[];
  /** For the `entry` role: the JSON Schema of a run's inputs as callers send them. */
  runInputSchema?(config: C): JsonSchema;
  /** For kinds that call a model: the model aliases the config names, with their fields (checked against the endpoints). */
  modelAliases?(config: C): Array<{ field: string; alias: string }>;
}

/** Declares a node definition with its config type inferred from the schema. */
export function defineNode<C>(definition: NodeDefinition<C>): NodeDefinition<C> {
  return definition;
}

/**
 * Every input takes any number of edges: a node runs once all of them are settled and one was taken, or,
 * when the graph node says `join: 'all'`, only when every one was taken.
 */
export const FLOW_IN: PortDef = { id: 'in', label: 'in', type: 'flow' };
export const FLOW_OUT: PortDef = { id: 'out', label: 'out', type: 'flow' };

/** Bounds of the model settings, for the schema below and for code that raises a limit. */
export const ModelSettingsLimits = { defaultMaxTokens: 1024, maxTokens: 32768, minTimeoutMs: 100, maxTimeoutMs: 600_000 } as const;

/** Settings shared by every kind that calls a model. */
export const ModelSettingsSchema = {
  model: z.string().min(1).default('default'),
  /** The alias tried when `model`'s endpoint fails (connection, 5xx, timeout, rate limit); never for a bad answer. */
  fallbackModel: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: z.number().int().min(1).max(ModelSettingsLimits.maxTokens).default(ModelSettingsLimits.defaultMaxTokens),
  /** How long one attempt may take, model calls included; unset, the endpoint's own timeout applies to each call. */
  timeoutMs: z.number().int().min(ModelSettingsLimits.minTimeoutMs).max(ModelSettingsLimits.maxTimeoutMs).optional(),
  retries: z.number().int().min(0).max(10).default(2),
};

/** The aliases a kind with {@link ModelSettingsSchema} names: `model`, and `fallbackModel` when set. */
export function modelSettingsAliases(config: { model: string; fallbackModel?: string }): Array<{ field: string; alias: string }> {
  return [{ field: 'model', alias: config.model }, ...(config.fallbackModel ? [{ field: 'fallbackModel', alias: config.fallbackModel }] : [])];
}

/** A name usable as an output key and in references. */
export const FieldNameSchema = z
  .string()
  .regex(/^[A-Za-z_\u4e00-\u9fa5][A-Za-z0-9_\u4e00-\u9fa5]{0,63}$/, 'a name has letters, digits, _ or Chinese characters, and does not start with a digit');

/** Reports names that occur more than once in a list. */
export function duplicateNames(items: Array<{ name?: string; id?: string }>, field: string, key: 'name' | 'id' = 'name'): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  items.forEach((item, i) => {
    const value = item[key];
    if (value === undefined) return;
    if (seen.has(value)) issues.push({ field: `${field}.${i}.${key}`, code: 'duplicate_name', message: `"${value}" is used twice`, params: { value } });
    seen.add(value);
  });
  return issues;
}

/**
 * Backreferences and lookarounds: the server matches patterns in linear time (RE2), which has neither,
 * since they can make a match take exponential time on a caller's text.
 */
const UNSUPPORTED_REGEX = /\\[1-9]|\\k<|\(\?<?[=!]/;

/** Reports a regular expression source that does not compile, or uses what the server's matcher lacks. */
export function regexIssue(pattern: string | undefined, field: string, flags = 'u'): ConfigIssue[] {
  if (!pattern) return [];
  if (UNSUPPORTED_REGEX.test(pattern)) return [{ field, code: 'regex_unsupported', message: 'invalid regular expression: backreferences (\\1, \\k<name>) and lookarounds ((?=, (?!, (?<=, (?<!) are not supported: they can make a match take exponential time' }];
  try {
    new RegExp(pattern, flags);
    return [];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ field, code: 'regex_invalid', message: `invalid regular expression: ${reason}`, params: { reason } }];
  }
}
