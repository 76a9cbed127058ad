import canonicalize from 'canonicalize';
import type { Normalizer } from '@shared/evaluation-metrics.js';
import { foldDigitReadings } from '@shared/pii-digits.js';

/**
 * Normalisation of values before they are compared, so that a model is not marked wrong for writing
 * `１３８ ００１３ ８０００` where the reviewer wrote `13800138000`. See {@link Normalizer} for each way.
 */

/** A space beside a Chinese character: Chinese puts no spaces between words, so `文三路 90 号` = `文三路90号`. */
const SPACE_BY_HAN = /(?<=\p{Script=Han}) | (?=\p{Script=Han})/gu;

/**
 * Text as compared: Unicode NFKC (full-width digits, Latin letters and punctuation become half-width,
 * e.g. `ＡＢＣ１２３，` → `ABC123,`; the ideographic space becomes a space), whitespace runs collapsed to
 * one space and dropped beside a Chinese character, trimmed, Latin letters lower-cased. Chinese characters are unchanged.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').replace(SPACE_BY_HAN, '').trim().toLowerCase();
}

const PHONE_SEPARATORS = /[\s\-\u2010-\u2015\u2212.()[\]（）【】]/gu;

/**
 * A phone number as compared: {@link normalizeText}, Chinese digit readings as digits (`幺三八…`), then
 * spaces, dashes, dots and brackets removed, and the China country code dropped (`+86`, `0086`, or a bare
 * `86` before an 11-digit mobile number). `+86 138-0013-8000`, `(0086)13800138000` and `13800138000` are
 * equal; `(0571) 8888-1234` becomes `057188881234`. Text that holds no digit is returned as {@link normalizeText} gives it.
 */
export function normalizePhone(text: string): string {
  const base = foldDigitReadings(normalizeText(text));
  if (!/\d/.test(base)) return base;
  let digits = base.replace(PHONE_SEPARATORS, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (/^861[3-9]\d{9}$/.test(digits)) digits = digits.slice(2);
  return digits;
}

/** Whether a value counts as empty (absent): undefined, null, a blank string, an empty list or object. */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/**
 * A value with its strings normalised by `normalizer`, recursively through lists and objects. `number`
 * reads numeric strings as numbers; `none` returns the value as it is.
 */
export function normalizeValue(value: unknown, normalizer: Normalizer): unknown {
  if (normalizer === 'none') return value;
  if (typeof value === 'string') {
    if (normalizer === 'phone') return normalizePhone(value);
    const text = normalizeText(value);
    if (normalizer === 'number' && text !== '' && Number.isFinite(Number(text))) return Number(text);
    return text;
  }
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, normalizer));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeValue(v, normalizer)]));
  }
  return value;
}

/**
 * A string key for a normalised value, equal for equal values: a string stands for itself, anything
 * else is its canonical JSON (RFC 8785: key order does not matter, `1` and `1.0` are one number);
 * undefined reads as null.
 */
export function valueKey(value: unknown, normalizer: Normalizer): string {
  const normal = normalizeValue(value ?? null, normalizer);
  if (typeof normal === 'string') return normal;
  return canonicalize(normal) ?? 'null';
}

/** Whether two values are equal once normalised (see {@link valueKey}). */
export function valuesEqual(expected: unknown, actual: unknown, normalizer: Normalizer): boolean {
  return valueKey(expected, normalizer) === valueKey(actual, normalizer);
}

/** A list's elements as keys, sorted: lists compare as multisets (order does not matter). */
export function listKeys(value: unknown, normalizer: Normalizer): string[] {
  const list = Array.isArray(value) ? value : isEmptyValue(value) ? [] : [value];
  return list.filter((v) => !isEmptyValue(v)).map((v) => valueKey(v, normalizer)).sort();
}
