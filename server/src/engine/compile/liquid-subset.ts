/**
 * A renderer for the Liquid that report and work-order templates are mostly made of, equal to
 * liquidjs on it (tested against liquidjs on thousands of generated templates and scopes), at a
 * fraction of its cost: liquidjs renders through generators, and a template node's render made a
 * fifth of all the bytes a `/v1` run allocated. The subset:
 *   - text, and outputs `{{ path }}`, `{{ path | join }}`, `{{ path | join: 'sep' }}`;
 *   - `{% if cond %}…{% endif %}` and `{% if cond %}…{% else %}…{% endif %}`, nested;
 *   - a condition is a path (truthy unless false or nil, as Liquid reads it), or a path compared with a
 *     number or a quoted string by `==`, `!=`, `>`, `<`, `>=`, `<=` (liquidjs's operators on plain values).
 * Anything else (other filters or tags, `elsif`, `and`/`or`, whitespace control, literals such as
 * `nil` where a name could stand) makes {@link subsetRenderer} return null: Liquid renders it. Paths are
 * read as liquidjs reads them ({@link lookup}).
 */
import type { Scope } from '../../nodes/kit.js';
import { lookup, type Segment } from './lookup.js';

type Compare = '==' | '!=' | '>' | '<' | '>=' | '<=';
type Condition = { path: Segment[]; op?: Compare; value?: string | number };
type Part = string | { path: Segment[]; join?: string } | { when: Condition; then: Part[]; otherwise: Part[] };

const NAME = '[A-Za-z_\\u4e00-\\u9fa5][\\w\\u4e00-\\u9fa5]*';
const PATH = `${NAME}(?:\\.[\\w\\u4e00-\\u9fa5]+|\\[\\d+\\])*`;
const STRING = `'[^']*'|"[^"]*"`;
const OUTPUT = new RegExp(`^(${PATH})(?:\\s*\\|\\s*join(?:\\s*:\\s*(${STRING}))?)?$`);
const IF = new RegExp(`^if\\s+(${PATH})(?:\\s*(==|!=|>=|<=|>|<)\\s*(-?\\d+(?:\\.\\d+)?|${STRING}))?$`);
/** Words Liquid reads as literals where a name could stand. */
const LITERALS = new Set(['true', 'false', 'nil', 'null', 'empty', 'blank']);
const TAG = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;

function pathOf(text: string): Segment[] | null {
  const path = text.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '').map((p): Segment => (/^\d+$/.test(p) ? Number(p) : p));
  return LITERALS.has(String(path[0])) ? null : path;
}

function literal(text: string): string | number {
  return text.startsWith("'") || text.startsWith('"') ? text.slice(1, -1) : Number(text);
}

/** Parses the source into parts, or null when it leaves the subset. */
function parse(source: string): Part[] | null {
  const root: Part[] = [];
  // Open ifs: the part list being filled, and the if part itself.
  const stack: Array<{ list: Part[]; node: Extract<Part, { when: Condition }> | null }> = [{ list: root, node: null }];
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    const text = source.slice(last, match.index);
    if (text.includes('{{') || text.includes('{%')) return null;
    if (text) stack[stack.length - 1].list.push(text);
    last = (match.index ?? 0) + match[0].length;
    const raw = match[1] ?? match[2];
    if (raw.startsWith('-') || raw.endsWith('-')) return null;
    const body = raw.trim();
    if (match[1] !== undefined) {
      const out = OUTPUT.exec(body);
      const path = out ? pathOf(out[1]) : null;
      if (!out || !path) return null;
      stack[stack.length - 1].list.push({ path, join: out[2] === undefined ? (body.includes('|') ? ' ' : undefined) : String(literal(out[2])) });
      continue;
    }
    const top = stack[stack.length - 1];
    if (body === 'else') {
      if (!top.node || top.list === top.node.otherwise) return null;
      top.list = top.node.otherwise;
    } else if (body === 'endif') {
      if (!top.node) return null;
      stack.pop();
    } else {
      const cond = IF.exec(body);
      const path = cond ? pathOf(cond[1]) : null;
      if (!cond || !path) return null;
      const node: Extract<Part, { when: Condition }> = { when: { path, op: cond[2] as Compare | undefined, value: cond[3] === undefined ? undefined : literal(cond[3]) }, then: [], otherwise: [] };
      top.list.push(node);
      stack.push({ list: node.then, node });
    }
  }
  const rest = source.slice(last);
  if (stack.length !== 1 || rest.includes('{{') || rest.includes('{%')) return null;
  if (rest) root.push(rest);
  return root;
}

function holds(scope: Scope, { path, op, value }: Condition): boolean {
  const v = lookup(scope, path);
  if (op === undefined) return !(v === false || v === undefined || v === null);
  const equal = !Array.isArray(v) && v === value;
  // Plain values compare as JavaScript compares them, as liquidjs's operators do.
  const l = v as number;
  const r = value as number;
  switch (op) {
    case '==':
      return equal;
    case '!=':
      return !equal;
    case '>':
      return l > r;
    case '<':
      return l < r;
    case '>=':
      return l >= r;
    case '<=':
      return l <= r;
  }
}

function print(value: unknown): string {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? '');
}

/**
 * The renderer of a template in the subset, or null for any other template. It returns the text and the
 * characters Liquid's memory limit would count for it: exactly what liquidjs counts (each printed
 * output, and a join's elements and separators), so past the limit Liquid can render it and fail it.
 */
export function subsetRenderer(source: string): ((scope: Scope) => { text: string; used: number }) | null {
  const parts = parse(source);
  return parts ? renderer(parts) : null;
}

/** The subset's renderer when the template is text with plain `{{ path }}` outputs only (no tag, no filter), else null. */
export function plainRenderer(source: string): ((scope: Scope) => string) | null {
  const parts = parse(source);
  if (!parts || !isPlain(parts)) return null;
  const render = renderer(parts);
  return (scope) => render(scope).text;
}

function isPlain(parts: Part[]): boolean {
  return parts.every((part) => typeof part === 'string' || ('path' in part && part.join === undefined));
}

function renderer(parts: Part[]): (scope: Scope) => { text: string; used: number } {
  return (scope) => {
    let text = '';
    let used = 0;
    const render = (list: Part[]): void => {
      for (const part of list) {
        if (typeof part === 'string') text += part;
        else if ('when' in part) render(holds(scope, part.when) ? part.then : part.otherwise);
        else {
          const value = lookup(scope, part.path);
          if (part.join === undefined) {
            const shown = print(value);
            used += shown.length;
            text += shown;
          } else {
            const array: unknown[] = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
            // What liquidjs's join counts (each element as String() writes it), then what printing counts.
            let size = part.join.length * Math.max(array.length - 1, 0);
            for (const item of array) size += String(item).length;
            const joined = array.join(part.join);
            used += size + joined.length;
            text += joined;
          }
        }
      }
    };
    render(parts);
    return { text, used };
  };
}
