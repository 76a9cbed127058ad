import type { TFunction } from 'i18next';
import { AUDIT_ACTIONS, AUDIT_ACTION_GROUPS } from '@shared/audit';

/** An action code's translated name (`scenario.publish` → 发布场景 / Publish scenario); an unknown code shows as itself. */
export function actionLabel(t: TFunction, code: string): string {
  return t(`auditLog.actions.${code}`, { defaultValue: code });
}

/** An actor or target type's translated name; an unknown one shows as itself. */
export function typeLabel(t: TFunction, kind: 'actorTypes' | 'targetTypes', value: string | null): string {
  return value === null ? '' : t(`auditLog.${kind}.${value}`, { defaultValue: value });
}

/** The action filter's options: per group, "every action of the group" (its prefix) then each action. */
export function actionOptions(t: TFunction): Array<{ label: string; options: Array<{ value: string; label: string }> }> {
  return AUDIT_ACTION_GROUPS.map((group) => ({
    label: t(`auditLog.groups.${group}`, { defaultValue: group }),
    options: [
      { value: group, label: t('auditLog.allOf', { group: t(`auditLog.groups.${group}`, { defaultValue: group }) }) },
      ...AUDIT_ACTIONS.filter((a) => a.startsWith(`${group}.`)).map((a) => ({ value: a, label: actionLabel(t, a) })),
    ],
  }));
}

/** `from` / `to` of a date range, whole days in local time: from the first day's midnight to the midnight after the last. */
export function dayRange(first: Date, last: Date): { from: string; to: string } {
  const from = new Date(first.getFullYear(), first.getMonth(), first.getDate());
  const to = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}
