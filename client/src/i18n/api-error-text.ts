import { errorText } from '../auth/error-text';
import i18n from './index';

/**
 * Anything thrown by an API call, in the UI's current language (see `errorText`): for toasts outside React
 * hooks. Components may use `useErrorText()` instead.
 */
export function apiErrorText(error: unknown): string {
  return errorText(error, i18n.t.bind(i18n), (key) => i18n.exists(key));
}
