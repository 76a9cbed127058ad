import { App, Button } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/** Copies text, falling back to a hidden textarea where the Clipboard API is not available (plain http). */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

/** A code snippet with a copy button. */
export function CodeBlock({ code, testId }: { code: string; testId?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <div className="mf-code">
      <Button size="small" className="mf-code-copy" icon={<CopyOutlined />} onClick={() => void copyText(code).then(() => message.success(t('api.copied')))} data-testid={testId ? `${testId}-copy` : undefined}>
        {t('api.copy')}
      </Button>
      <pre className="mf-pre" data-testid={testId}>{code}</pre>
    </div>
  );
}
