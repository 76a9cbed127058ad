import type { TFunction, i18n as I18n } from 'i18next';
import type { CompileProblem } from '@shared/index';

/**
 * A compile problem in the reader's language: a code with parameters and a translation reads as that;
 * any other problem shows the compiler's English message until its code gains one.
 */
export function problemText(p: CompileProblem, t: TFunction, i18n: I18n): string {
  return p.params && i18n.exists(`problem.${p.code}`) ? t(`problem.${p.code}`, p.params) : p.message;
}
