import { compileUserPattern } from '../common/user-regex.js';
import { fieldValueSchema, type Field } from '@shared/nodes/fields.js';
import { coerceToSchema, emptyNotes } from '../model/reply/coerce.js';
import { compileCoercingSchema } from '../common/validation.js';

/** One extracted value, checked: the value to put in the form (null when invalid or absent) and why it is invalid. */
export interface CheckedValue {
  value: unknown;
  invalid?: string;
}

const TYPE_REASONS: Record<Field['type'], string> = {
  string: '应为文本',
  number: '应为数字',
  integer: '应为整数',
  boolean: '应为是或否',
  array: '应为列表',
  object: '应为对象',
};

/**
 * Prepares the check of one form field, at compile time. A value is read by the same rules as every
 * structured reply ({@link coerceToSchema}, then Ajv's coercion: "5" for a number, 是 for a boolean, an
 * enum value in any case), then its pattern is tested, also on the value with its spaces and dashes taken
 * out ("139 1234 5678" is a phone number). A value that does not fit becomes null with the reason, in the
 * form's language, shown to the agent who confirms the form.
 */
export function compileFieldCheck(field: Field): (raw: unknown) => CheckedValue {
  const { pattern: _pattern, ...schema } = fieldValueSchema(field);
  const validate = compileCoercingSchema({ type: 'object', properties: { v: schema }, required: ['v'] });
  const pattern = field.pattern && field.type === 'string' ? compileUserPattern(field.pattern) : undefined;
  return (raw) => {
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return { value: null };
    // Wrapped, so Ajv's coercion has a parent to write the converted value into.
    const holder = { v: coerceToSchema(typeof raw === 'string' ? raw.trim() : raw, schema, emptyNotes()) };
    if (!validate(holder)) {
      const enumError = validate.errors?.some((e) => e.keyword === 'enum');
      return { value: null, invalid: enumError && field.enum ? `不在可选值中（${field.enum.join(' / ')}）` : TYPE_REASONS[field.type] };
    }
    const value = holder.v;
    if (!pattern || typeof value !== 'string' || pattern.test(value)) return { value };
    const compact = value.replace(/[\s-]/g, '');
    if (pattern.test(compact)) return { value: compact };
    return { value: null, invalid: field.patternHint ? `应为${field.patternHint}` : `格式不符合 ${field.pattern}` };
  };
}
