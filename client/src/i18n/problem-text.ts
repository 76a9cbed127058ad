import type { TFunction } from 'i18next';
import type { CompileProblem } from '@shared/index';
import { issueMessage } from './issue-text';

/**
 * A compile problem in the reader's language, from its code and `params`: `problem.<code>`, or
 * `problem.<code>_<hint>` for a variant; a schema issue (`hint: 'zod'`) reads as its zod code. A problem
 * from an older server without a translation shows the compiler's English message.
 */
export function problemText(p: CompileProblem, t: TFunction, i18n: { exists(key: string): boolean }): string {
  const params = p.params ?? {};
  const exists = (key: string) => i18n.exists(key);
  if (params.hint === 'zod') return issueMessage(String(params.issue), params, p.message, t, exists);
  const key = typeof params.hint === 'string' ? `problem.${p.code}_${params.hint}` : `problem.${p.code}`;
  return exists(key) ? t(key, labelled(params, t, exists)) : p.message;
}

/** Parameters that hold an enum value (a comparison, a value type) read as its label, not the raw value. */
const ENUM_PARAMS: Record<string, string> = { op: 'enum.op', type: 'enum.type', declared: 'enum.type', actual: 'enum.type' };

function labelled(params: Record<string, string | number>, t: TFunction, exists: (key: string) => boolean): Record<string, string | number> {
  const out = { ...params };
  for (const [name, group] of Object.entries(ENUM_PARAMS)) {
    const value = params[name];
    if (typeof value === 'string' && exists(`${group}.${value}`)) out[name] = t(`${group}.${value}`);
  }
  return out;
}
