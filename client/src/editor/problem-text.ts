import type { TFunction, i18n as I18n } from 'i18next';
import type { CompileProblem } from '@shared/index';

/**
 * A compile problem in the reader's language: a code with parameters and a translation reads as that;
 * any other problem shows the compiler's English message until its code gains one.
 */
export function problemText(p: CompileProblem, t: TFunction, i18n: I18n): string {
  if (!p.params) return p.message;
  // A problem may come in variants (`hint`), each with its own wording.
  const key = typeof p.params.hint === 'string' ? `problem.${p.code}_${p.params.hint}` : `problem.${p.code}`;
  return i18n.exists(key) ? t(key, p.params) : p.message;
}
