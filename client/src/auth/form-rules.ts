import type { FormInstance } from 'antd';
import type { Rule } from 'antd/es/form';
import type { TFunction } from 'i18next';
import { MIN_PASSWORD_LENGTH, UserNameSchema } from '@shared/users';

/** Form rules of a new password: required and at least the server's minimum length. */
export function newPasswordRules(t: TFunction): Rule[] {
  return [
    { required: true, message: t('auth.passwordRequired') },
    { min: MIN_PASSWORD_LENGTH, message: t('auth.passwordTooShort', { n: MIN_PASSWORD_LENGTH }) },
  ];
}

/** Form rules of "the password again": it must equal the field `field` of the same form. */
export function repeatRules(t: TFunction, field: string): Rule[] {
  return [
    { required: true, message: t('auth.passwordRequired') },
    (form: Pick<FormInstance, 'getFieldValue'>) => ({
      validator: (_: unknown, value: unknown) => (value === form.getFieldValue(field) ? Promise.resolve() : Promise.reject(new Error(t('auth.passwordMismatch')))),
    }),
  ];
}

/** Form rules of a login name: required and of the characters the server accepts. */
export function nameRules(t: TFunction): Rule[] {
  return [
    { required: true, whitespace: true, message: t('auth.nameRequired') },
    {
      validator: (_: unknown, v: unknown) =>
        typeof v !== 'string' || v.trim() === '' || UserNameSchema.safeParse(v).success ? Promise.resolve() : Promise.reject(new Error(t('auth.nameInvalid'))),
    },
  ];
}
