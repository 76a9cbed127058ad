import { Liquid, type Template } from 'liquidjs';
import type { CompiledTemplate, Scope } from '../../nodes/kit.js';

/** One Liquid engine for every template: objects print as JSON, unknown filters are errors. */
const liquid = new Liquid({
  outputEscape: (value: unknown) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? '')),
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  cache: false,
});

export type Segment = string | number;

export type TemplateParse =
  | { ok: true; template: CompiledTemplate; references: Segment[][]; pureReference: Segment[] | null }
  | { ok: false; message: string };

/**
 * Parses a template once: `{{ node.output.path }}` references (Liquid syntax, filters and tags allowed).
 * In `value` mode a template that is exactly one reference yields the referenced value itself.
 */
export function compileTemplate(source: string, mode: 'text' | 'value'): TemplateParse {
  let parsed: Template[];
  let references: Segment[][];
  try {
    parsed = liquid.parse(source);
    references = liquid.globalVariableSegmentsSync(parsed).map((segments) => segments.map(toSegment));
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
  const pure = pureReference(source, references);
  const reads = [...new Set(references.map((r) => String(r[0])))];
  const isStatic = references.length === 0 && !source.includes('{%') && !source.includes('{{');
  const plain = isStatic ? null : plainRenderer(source);
  const renderText = isStatic ? () => source : (plain ?? ((scope: Scope): string => liquid.renderSync(parsed, scope)));
  const render = mode === 'value' && pure ? (scope: Scope) => lookup(scope, pure) : renderText;
  return { ok: true, template: { source, render, renderText, reads }, references, pureReference: mode === 'value' ? pure : null };
}

/** `{{ a.b[0].c }}`: an output with no filter and no whitespace control. */
const PLAIN_OUTPUT = /\{\{\s*([A-Za-z_\u4e00-\u9fa5][\w\u4e00-\u9fa5]*(?:\.[\w\u4e00-\u9fa5]+|\[\d+\])*)\s*\}\}/g;

/**
 * A renderer for the common template, text with plain `{{ path }}` outputs and nothing else, that reads
 * each path directly and prints it as the Liquid engine above would (objects as JSON, nothing for a
 * missing value), at a fraction of the cost; null for anything else (filters, tags, `{{-`).
 */
export function plainRenderer(source: string): ((scope: Scope) => string) | null {
  if (source.includes('{%')) return null;
  const parts: Array<string | Segment[]> = [];
  let last = 0;
  for (const match of source.matchAll(PLAIN_OUTPUT)) {
    parts.push(source.slice(last, match.index));
    parts.push(match[1].split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(source.slice(last));
  if (parts.some((p) => typeof p === 'string' && (p.includes('{{') || p.includes('}}')))) return null;
  return (scope) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : show(lookup(scope, part));
    return out;
  };
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function toSegment(segment: unknown): Segment {
  return typeof segment === 'number' ? segment : String(segment);
}

/** The path of a template that is exactly `{{ a.b.c }}` (no filters, no text around it), else null. */
function pureReference(source: string, references: Segment[][]): Segment[] | null {
  if (references.length !== 1) return null;
  if (!/^\s*\{\{-?\s*[^{}|%]+?\s*-?\}\}\s*$/.test(source)) return null;
  return references[0];
}

/** Reads a path from the scope the way Liquid does, including `size`, `first` and `last`. */
export function lookup(scope: Scope, path: Segment[]): unknown {
  let value: unknown = scope;
  for (const segment of path) {
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value)) {
      if (segment === 'size') value = value.length;
      else if (segment === 'first') value = value[0];
      else if (segment === 'last') value = value[value.length - 1];
      else value = value[Number(segment)];
    } else if (typeof value === 'string') {
      value = segment === 'size' ? value.length : undefined;
    } else if (typeof value === 'object') {
      value = Object.prototype.hasOwnProperty.call(value, segment) ? Reflect.get(value, segment) : undefined;
    } else {
      return undefined;
    }
  }
  return value;
}
