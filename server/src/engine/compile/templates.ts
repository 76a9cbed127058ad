import type { Template } from 'liquidjs';
import { fileTagError, type TemplateFileTag } from '@shared/template-policy.js';
import type { CompiledTemplate, Scope } from '../../nodes/kit.js';
import { checkOutputSize, DEFAULT_TEMPLATE_LIMITS, liquid, renderBounded, type TemplateLimits } from './liquid.js';
import { subsetRenderer } from './liquid-subset.js';
import { lookup, type Segment } from './lookup.js';

export { plainRenderer } from './liquid-subset.js';

export { lookup, type Segment } from './lookup.js';

export type TemplateParse =
  | {
      ok: true;
      /** The template with errors that name no field. */
      template: CompiledTemplate;
      /** The same template, its errors naming the config field it renders. */
      bind(field: string): CompiledTemplate;
      references: Segment[][];
      pureReference: Segment[] | null;
    }
  | { ok: false; code: 'template_syntax'; message: string }
  | { ok: false; code: 'template_file_access'; message: string; tag: TemplateFileTag };

/**
 * Parses a template once: `{{ node.output.path }}` references (Liquid syntax, filters and tags allowed,
 * but not the file tags `include`, `render` and `layout`, which are `template_file_access`). In `value`
 * mode a template that is exactly one reference yields the referenced value itself. Rendering stays
 * within `limits` or throws a NodeError (`template_limit`, `template_error`).
 */
export function compileTemplate(source: string, mode: 'text' | 'value', limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS): TemplateParse {
  let parsed: Template[];
  let references: Segment[][];
  try {
    parsed = liquid.parse(source);
    references = liquid.globalVariableSegmentsSync(parsed).map((segments) => segments.map(toSegment));
  } catch (error) {
    const refused = fileTagError(error);
    if (refused) return { ok: false, code: 'template_file_access', message: refused.message, tag: refused.tag };
    return { ok: false, code: 'template_syntax', message: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
  const pure = pureReference(source, references);
  const reads = [...new Set(references.map((r) => String(r[0])))];
  const isStatic = references.length === 0 && !source.includes('{%') && !source.includes('{{');
  const subset = isStatic ? null : subsetRenderer(source);
  const bind = (field?: string): CompiledTemplate => {
    let renderText: (scope: Scope) => string;
    if (isStatic) renderText = source.length * 3 > limits.outputBytes ? () => checkOutputSize(source, limits, field) : () => source;
    else if (subset) {
      // The fast path stays fast: the byte count is only looked at for a text that might be over. It
      // counts memory as Liquid does: past the limit, Liquid renders it again and fails it as Liquid says.
      const maxChars = limits.outputBytes / 3;
      renderText = (scope) => {
        const { text, used } = subset(scope);
        if (used > limits.memory) return renderBounded(parsed, scope, limits, field);
        return text.length > maxChars ? checkOutputSize(text, limits, field) : text;
      };
    } else renderText = (scope) => renderBounded(parsed, scope, limits, field);
    const render = mode === 'value' && pure ? (scope: Scope) => lookup(scope, pure) : renderText;
    return { source, render, renderText, reads };
  };
  return { ok: true, template: bind(), bind, references, pureReference: mode === 'value' ? pure : null };
}

/**
 * The path a template reads when it is exactly one reference (`{{ node.a.b }}`, no filters, no text
 * around it), else null (also for a template that does not parse).
 */
export function pureReferenceOf(source: string): Segment[] | null {
  const parsed = compileTemplate(source, 'value');
  return parsed.ok ? parsed.pureReference : null;
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
