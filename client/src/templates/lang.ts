import { useTranslation } from 'react-i18next';

/** The UI language as a key of the templates' `{ zh, en }` texts. */
export function useLang(): 'zh' | 'en' {
  const { i18n } = useTranslation();
  return i18n.language === 'en' ? 'en' : 'zh';
}
