import type { ReactNode } from 'react';
import { Button, Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { setLang } from '../i18n/index';

/** The frame of the pages shown before sign-in: the product's name, a card, and the language switch. */
export function AuthFrame({ title, children, testId }: { title: ReactNode; children: ReactNode; testId: string }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="mf-auth" data-testid={testId}>
      <div className="mf-auth-brand">
        <span className="mf-logo">{t('app.title')}</span>
        <span className="mf-sub">{t('app.subtitle')}</span>
      </div>
      <Card title={title}>{children}</Card>
      <Button size="small" type="text" data-testid="lang-switch" onClick={() => setLang(i18n.language === 'en' ? 'zh' : 'en')}>
        {t('app.language')}
      </Button>
    </div>
  );
}
