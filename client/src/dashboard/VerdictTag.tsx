import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

/** A verdict as a coloured tag. */
export function VerdictTag({ verdict }: { verdict: string | null }) {
  const { t } = useTranslation();
  if (verdict === null) return <Tag>—</Tag>;
  return <Tag color={verdict === 'pass' ? 'green' : verdict === 'fail' ? 'red' : 'default'}>{verdict === 'pass' ? t('dashboard.verdictPass') : verdict === 'fail' ? t('dashboard.verdictFail') : verdict}</Tag>;
}
