import type { TFunction } from 'i18next';
import { ApiError, isRecord } from '../api';

/**
 * What went wrong, in the UI's language: an API error's stable code (`last_admin`, `forbidden`,
 * `invalid_credentials`, …) translated from `errors.<code>`, with the server's message where the code has no
 * translation (or carries the detail, as `invalid_body` does).
 */
export function errorText(error: unknown, t: TFunction, exists: (key: string) => boolean): string {
  if (!(error instanceof ApiError)) return t('errors.unknown', { message: error instanceof Error ? error.message : String(error) });
  if (error.code === 'too_many_attempts') {
    const seconds = isRecord(error.details) ? error.details.retry_after_seconds : undefined;
    return typeof seconds === 'number' ? t('errors.too_many_attempts', { seconds }) : t('errors.too_many_attempts_later');
  }
  const key = `errors.${error.code}`;
  return exists(key) ? t(key, { message: error.message }) : t('errors.unknown', { message: error.message });
}
