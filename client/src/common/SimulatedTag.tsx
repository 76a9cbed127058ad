import { Tag, Tooltip } from 'antd';
import { ExperimentOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/**
 * Says a result was answered by the built-in simulator (its outputs are made up), wherever a result is
 * shown: the canvas's run, its history, the run log, a trace, the dashboard's call detail.
 */
export function SimulatedTag({ testId = 'simulated-tag' }: { testId?: string }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t('simulated.tip')}>
      <Tag color="orange" icon={<ExperimentOutlined />} data-testid={testId}>
        {t('simulated.tag')}
      </Tag>
    </Tooltip>
  );
}
