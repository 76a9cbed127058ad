import type { TFunction } from 'i18next';
import type { CompileProblem } from '@shared/index';
import { ApiError, isRecord } from '../api';
import { issueText, isIssueList } from '../i18n/issue-text';
import { problemText } from '../i18n/problem-text';

/**
 * What went wrong, in the UI's language: an API error's stable code (`last_admin`, `forbidden`,
 * `invalid_credentials`, …) translated from `errors.<code>`; schema issues in `details` (a 400's
 * `invalid_body`, an import's `invalid_file`) each translated with their field named; an import's
 * `details.reason` as `errors.<code>_<reason>` (with the details' other values as parameters); a draft that does not compile by its first problem. The
 * server's English message shows only where the code has no translation.
 */
export function errorText(error: unknown, t: TFunction, exists: (key: string) => boolean): string {
  if (!(error instanceof ApiError)) return t('errors.unknown', { message: error instanceof Error ? error.message : String(error) });
  if (error.code === 'too_many_attempts') {
    const seconds = isRecord(error.details) ? error.details.retry_after_seconds : undefined;
    return typeof seconds === 'number' ? t('errors.too_many_attempts', { seconds }) : t('errors.too_many_attempts_later');
  }
  const key = `errors.${error.code}`;
  const issues = isRecord(error.details) && isIssueList(error.details.issues) ? error.details.issues : error.details;
  if (isIssueList(issues)) {
    const message = issues.map((issue) => issueText(issue, t, exists)).join('；');
    return exists(key) ? t(key, { message }) : t('errors.invalid_body', { message });
  }
  // A code's text may name what its details say (`{{input}}`, `{{missing}}`): plain values and lists joined.
  const said: Record<string, string | number> = {};
  if (isRecord(error.details)) {
    for (const [name, value] of Object.entries(error.details)) {
      if (typeof value === 'string' || typeof value === 'number') said[name] = value;
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) said[name] = value.join(', ');
    }
  }
  const reason = isRecord(error.details) && typeof error.details.reason === 'string' ? `${key}_${error.details.reason}` : undefined;
  if (reason && exists(reason)) return t(reason, said);
  const problems = isRecord(error.details) && Array.isArray(error.details.errors) ? (error.details.errors as CompileProblem[]) : undefined;
  if (error.code === 'compile_failed' && problems && problems.length > 0) {
    return t('errors.compile_failed', { count: problems.length, first: problemText(problems[0], t, { exists }) });
  }
  return exists(key) ? t(key, { ...said, message: error.message }) : t('errors.unknown', { message: error.message });
}
