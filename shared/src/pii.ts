/**
 * Masking of customers' personal data in Chinese call-center text, for people without the `pii:read`
 * permission: mobile and landline numbers, resident ID numbers, bank-card numbers, e-mail addresses and
 * the detail of postal addresses. The formats, and why each is recognised as it is, are documented
 * beside their patterns in `pii-numbers.ts` and `pii-address.ts`.
 *
 * What is shown instead keeps enough to tell values apart and to see what kind of value it was:
 * `139****5678`, `010-****5678`, `370***********123X`, `6222 **** **** 7890`, `z*******@example.com`,
 * `济南市历下区****`. Full-width digits and signs (`１３９…`, as some input methods and ASR engines write
 * them) are recognised like half-width ones, numbers read out in Chinese digits (`一三八…`, `幺三八…`,
 * `138一二三…`, see `pii-digits.ts`) like Arabic ones, and the original characters are kept where they
 * are shown (`一三八****五六七八`).
 *
 * Pure and linear in the text's length; no state.
 */
import { isRecord } from './json.js';
import { findAddresses } from './pii-address.js';
import { foldDigitReadings } from './pii-digits.js';
import { findNumbers, halfWidth, type PiiSpan } from './pii-numbers.js';

export { idChecksumValid, luhnValid, type PiiKind, type PiiSpan } from './pii-numbers.js';
export { ADDRESS_MASK } from './pii-address.js';

/** Characters every kind of value needs at least one of: a text without any is returned at once. */
const MAYBE_PII = /[0-9\uff10-\uff19@\uff20号栋幢座单元层楼室户组零〇○一幺壹二两贰三叁四肆五伍六陆七柒八捌九玖]/;

/**
 * The spans of `text` to mask, in order and not overlapping. Where two overlap, an address's detail
 * wins over the numbers in it, then an e-mail address, an ID number, a bank card, a mobile number and
 * a landline, in that order.
 */
export function findPii(text: string): PiiSpan[] {
  if (!MAYBE_PII.test(text)) return [];
  const norm = halfWidth(text);
  const order: Record<PiiSpan['kind'], number> = { address: 0, email: 1, id_number: 2, bank_card: 3, mobile: 4, landline: 5 };
  // Numbers read digit by digit in Chinese (一三八…, 幺三八…) are found as Arabic ones; addresses read
  // their Chinese numerals (三号楼) themselves.
  const candidates = [...findAddresses(norm), ...findNumbers(foldDigitReadings(norm), text)].sort((a, b) => order[a.kind] - order[b.kind] || a.start - b.start);
  // Spans of one kind never overlap each other, so marking the characters taken costs at most a few
  // passes over the text, however many spans there are.
  const used = new Uint8Array(text.length);
  const taken: PiiSpan[] = [];
  for (const span of candidates) {
    let free = true;
    for (let i = span.start; i < span.end && free; i++) free = used[i] === 0;
    if (!free) continue;
    used.fill(1, span.start, span.end);
    taken.push(span);
  }
  return taken.sort((a, b) => a.start - b.start);
}

/**
 * `text` with its personal data masked (see the module comment for what is masked and how it is
 * shown); a text without any is returned unchanged (the same string).
 */
export function maskText(text: string): string {
  const spans = findPii(text);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + span.replacement;
    at = span.end;
  }
  return out + text.slice(at);
}

/**
 * A JSON value with every string masked by {@link maskText}, deeply: arrays and objects keep their
 * shape; object keys are masked too (a model or a form may key a value by a phone number:
 * `{"13912345678": …}` → `{"139****5678": …}`; two keys that mask alike stay apart as `key#2`, …); numbers, booleans
 * and null are kept, except a whole number that is itself a phone, ID or card number (a form field the
 * model filled as a number), which becomes its masked text. Values that are not JSON (functions,
 * class instances other than plain objects) are returned as they are. Does not change `value`.
 */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Math.abs(value) < 1_000_000) return value;
    const text = String(value);
    const masked = maskText(text);
    return masked === text ? value : masked;
  }
  if (Array.isArray(value)) return value.map(maskValue);
  if (isRecord(value)) return maskRecord(value);
  return value;
}

/** {@link maskValue} of an object, typed as one: its values and its keys masked. */
export function maskRecord(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    let shown = maskText(key);
    if (shown !== key) for (let n = 2; Object.hasOwn(out, shown) || Object.hasOwn(value, shown); n++) shown = `${maskText(key)}#${n}`;
    out[shown] = maskValue(v);
  }
  return out;
}
