/**
 * Zod issues in the reader's language, from their code and parameters (`@shared/issues`): the API's 400
 * `details` and the compiler's schema problems. Zod 4 ships locales (`z.locales.zhCN`), but their Chinese
 * keeps zod's own words ("数值过小：期望 string >=1 字符"), so the wording here is Mofang's, keyed by the code.
 */
import type { TFunction } from 'i18next';
import type { IssueDetail, IssueParams } from '@shared/issues';
import { SLUG_PATTERN } from '@shared/publish';

/** Named patterns by their regex source: the rule in words instead of the regex (`validation.pattern.*`). */
const PATTERN_NAMES: Record<string, string> = {
  [SLUG_PATTERN.source]: 'slug',
  '^[A-Za-z_\\u4e00-\\u9fa5][A-Za-z0-9_\\u4e00-\\u9fa5]{0,63}$': 'fieldName',
  '^[A-Za-z_][A-Za-z0-9_]{0,63}$': 'nodeId',
  '^[A-Za-z0-9_-]{1,64}$': 'branchId',
  '^[A-Za-z0-9-]{1,100}$': 'headerName',
  '^[\\w.+-]+\\/[\\w.+-]+(\\s*;\\s*[\\w.+-]+=("[^"\\r\\n]*"|[\\w.+-]+))*$': 'contentType',
  '^\\d+\\.\\d+\\.\\d+$': 'version',
  '^\\d{4}-\\d{2}-\\d{2}$': 'date',
  '^[imsu]*$': 'flags',
  '^[A-Za-z0-9\\p{Script=Han}][A-Za-z0-9\\p{Script=Han}._@-]*$': 'loginName',
};

const NUMERIC = new Set(['number', 'int', 'bigint', 'integer']);

function word(t: TFunction, exists: (key: string) => boolean, group: 'type' | 'format', value: string | number | undefined): string {
  const key = `validation.${group}.${String(value)}`;
  return exists(key) ? t(key) : String(value ?? '');
}

/** One zod issue's text without its path, e.g. “不能为空” or “最多 63 个字符”. */
export function issueMessage(code: string, params: IssueParams, message: string, t: TFunction, exists: (key: string) => boolean): string {
  const origin = String(params.origin ?? '');
  const exclusive = params.inclusive === 0 ? '_exclusive' : '';
  switch (code) {
    case 'invalid_type': {
      const expected = word(t, exists, 'type', params.expected);
      return t(params.missing === 1 ? 'validation.invalid_type_required' : 'validation.invalid_type', { expected });
    }
    case 'too_small':
      if (origin === 'string') return params.minimum === 1 ? t('validation.too_small_empty') : t('validation.too_small_string', params);
      if (origin === 'array' || origin === 'set') return t('validation.too_small_array', params);
      if (NUMERIC.has(origin)) return t(`validation.too_small_number${exclusive}`, params);
      return t('validation.too_small', params);
    case 'too_big':
      if (origin === 'string') return t('validation.too_big_string', params);
      if (origin === 'array' || origin === 'set') return t('validation.too_big_array', params);
      if (NUMERIC.has(origin)) return t(`validation.too_big_number${exclusive}`, params);
      return t('validation.too_big', params);
    case 'invalid_format': {
      if (params.format === 'regex') {
        const name = PATTERN_NAMES[String(params.pattern)];
        return name ? t(`validation.pattern.${name}`) : t('validation.invalid_format_regex', params);
      }
      if (params.format === 'starts_with' || params.format === 'ends_with' || params.format === 'includes') return t(`validation.invalid_format_${params.format}`, params);
      return t('validation.invalid_format', { format: word(t, exists, 'format', params.format) });
    }
    case 'invalid_value':
    case 'not_multiple_of':
    case 'unrecognized_keys':
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return t(`validation.${code}`, params);
    default:
      if (typeof params.reserved === 'string') return t('validation.reserved', params);
      // A hand-written check names its rule (`@shared/issues` CUSTOM_RULES).
      if (typeof params.rule === 'string' && exists(`validation.rule.${params.rule}`)) return t(`validation.rule.${params.rule}`, params);
      return t('validation.custom', { message });
  }
}

/** An API issue with its field named: “slug：API 路径名只能用 …”, or the bare text for the root. */
export function issueText(issue: IssueDetail, t: TFunction, exists: (key: string) => boolean): string {
  const text = issueMessage(issue.code, issue.params ?? {}, issue.message, t, exists);
  return issue.path ? t('validation.at', { path: issue.path, text }) : text;
}

/** Whether `value` is an issue list as the API sends it in a 400's `details`. */
export function isIssueList(value: unknown): value is IssueDetail[] {
  return Array.isArray(value) && value.length > 0 && value.every((i) => typeof i === 'object' && i !== null && typeof (i as IssueDetail).code === 'string' && typeof (i as IssueDetail).path === 'string');
}
