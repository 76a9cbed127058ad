import { Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '@shared/permissions';

/** A role picker; each option says what the role may do. `value`/`onChange` so it works inside an antd Form.Item. */
export function RoleSelect({ value, onChange, disabled, testId, size }: { value?: Role; onChange?(role: Role): void; disabled?: boolean; testId?: string; size?: 'small' | 'middle' }) {
  const { t } = useTranslation();
  return (
    <Select<Role>
      value={value}
      onChange={onChange}
      disabled={disabled}
      size={size}
      style={{ minWidth: 140 }}
      popupMatchSelectWidth={false}
      data-testid={testId}
      options={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`), title: t(`roles.${role}`) }))}
      optionRender={(option) => (
        <div data-testid={`role-option-${option.value}`}>
          <div>{option.label}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t(`roles.help.${option.value}`)}</Typography.Text>
        </div>
      )}
    />
  );
}
