import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { zh } from './zh';
import { en } from './en';

export type Lang = 'zh' | 'en';
const STORAGE_KEY = 'mofang.lang';

/** The language chosen earlier in this browser, Chinese by default. */
export function savedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

/** Switches the UI language and remembers it. */
export function setLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // private mode: the switch still applies to this page
  }
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

void i18n.use(initReactI18next).init({
  resources: { zh: { translation: zh }, en: { translation: en } },
  lng: savedLang(),
  fallbackLng: 'zh',
  interpolation: { escapeValue: false },
});

export default i18n;
