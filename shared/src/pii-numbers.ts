/**
 * Finders for the personal numbers of Chinese call-center text: mobile and landline phone numbers,
 * resident ID numbers, bank-card numbers and e-mail addresses. Each finder reads the text in its
 * half-width form (see {@link halfWidth}: same length, so positions carry over to the original) and
 * returns the spans to mask and how.
 *
 * Every pattern starts with a negative lookbehind on its own first character class and uses only bounded
 * quantifiers, so a start position costs at most a few dozen steps and a finder reads the whole text in
 * linear time (no catastrophic backtracking on adversarial input).
 */

/**
 * One separator between digits, as people and ASR engines write them: a space, a dot, a hyphen, a dash
 * (`‐‑‒–—―`) or a minus sign (`138.1234.5678`, `138—1234—5678`; full-width ones are half-width by now).
 */
const S = '[ .\\-\u2010-\u2015\u2212]';

/** A part of the text to mask: `[start, end)` and what replaces it. */
export interface PiiSpan {
  start: number;
  end: number;
  /** The text that replaces `[start, end)`. */
  replacement: string;
  kind: PiiKind;
}

export type PiiKind = 'mobile' | 'landline' | 'id_number' | 'bank_card' | 'email' | 'address';

/**
 * The text with full-width ASCII (U+FF01–U+FF5E: `１３９`, `－`, `＋`, `＠`, `Ｘ`) and the ideographic
 * space (U+3000) written half-width, as NFKC does for them; every other character is kept, so the result
 * has the same length and positions in it are positions in `text`.
 */
export function halfWidth(text: string): string {
  if (!/[\uff01-\uff5e\u3000]/.test(text)) return text;
  return text.replace(/[\uff01-\uff5e\u3000]/g, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

/**
 * `original` with the digits (and an ID number's `X`) whose index among them is in
 * `[keepHead, count - keepTail)` replaced by `*`; `norm` is its half-width form, which says which
 * characters are digits (`１３９` counts as three).
 */
function starDigits(original: string, norm: string, keepHead: number, keepTail: number): string {
  const count = (norm.match(/[0-9Xx]/g) ?? []).length;
  let seen = 0;
  let out = '';
  for (let i = 0; i < norm.length; i++) {
    if (/[0-9Xx]/.test(norm[i])) {
      out += seen >= keepHead && seen < count - keepTail ? '*' : original[i];
      seen++;
    } else out += original[i];
  }
  return out;
}

/** The digits of a candidate (separators dropped). */
function digitsOf(text: string): string {
  return text.replace(/[^0-9Xx]/g, '');
}

/** What a finder makes of a candidate: how much of it is the number (from its start), and its replacement. */
interface Accepted {
  length: number;
  replacement: string;
}

/**
 * Runs `re` (global) over `norm` from every position where it can start: a candidate that `accept`
 * refuses is retried one character further, so a valid number that starts inside a refused one is
 * still found.
 */
function scan(norm: string, original: string, re: RegExp, kind: PiiKind, accept: (text: string, at: number) => Accepted | undefined): PiiSpan[] {
  const spans: PiiSpan[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(norm); m !== null; m = re.exec(norm)) {
    const found = accept(m[0], m.index);
    if (found === undefined) {
      re.lastIndex = m.index + 1;
      continue;
    }
    spans.push({ start: m.index, end: m.index + found.length, replacement: found.replacement, kind });
    re.lastIndex = m.index + found.length;
  }
  return spans;
}

/** `[at, at + length)` of the original with digits starred (see {@link starDigits}). */
function starred(norm: string, original: string, at: number, length: number, keepHead: number, keepTail: number): Accepted {
  return { length, replacement: starDigits(original.slice(at, at + length), norm.slice(at, at + length), keepHead, keepTail) };
}

/**
 * Mainland mobile numbers (MIIT numbering plan: 11 digits, `1` then `3`–`9`), as written by people and
 * by speech recognition: `13912345678`, `139 1234 5678`, `139-1234-5678`, `138.1234.5678`,
 * `1 3 8 1 2 3 4 5 6 7 8` (one separator, see {@link S}, between any two digits), with an optional
 * `+86` / `0086` / `86` prefix. Shown as `139****5678` (first 3 and last 4 digits, the prefix and
 * separators kept).
 */
const MOBILE = new RegExp(`(?<![0-9])(?:(?:\\+|00)?86${S}?)?1${S}?[3-9](?:${S}?[0-9]){9}(?![0-9])`, 'g');
const MOBILE_PREFIX = new RegExp(`^(?:\\+|00)?86${S}?`);

/**
 * Landlines with an area code (China's fixed-line plan: `010` and `02x` are three-digit area codes,
 * `03xx`–`09xx` four-digit; the local number has 7 or 8 digits and does not start with 0; written
 * without a separator after the area code, it must not start with 1 either, so `01012345678` (an
 * 11-digit reference number) is not taken for a landline):
 * `010-12345678`, `0531 8888888`, `(0531)88888888`, `（0531）88888888`, `053283091736`, `0531-8888-8888`.
 * Shown with the area code and the last 4 digits: `010-****5678`. Service numbers (`400-…`, `95588`,
 * `10010`) have no area code and are left alone.
 */
const AREA = '(?:010|02[0-9]|0[3-9][0-9]{2})';
const LANDLINE_AREA = new RegExp(`^(?:\\(${AREA}\\) ?|${AREA}${S}?)`);
const LANDLINE = new RegExp(`(?<![0-9])(?:(?:\\(${AREA}\\) ?|${AREA}${S})[1-9]|${AREA}[2-9])[0-9]{2,3}${S}?[0-9]{4}(?![0-9])`, 'g');

/**
 * Resident ID numbers (GB 11643-1999): 6-digit region, 8-digit birth date (years 18xx–20xx), 3-digit
 * sequence, check digit `0`–`9` or `X`, contiguous, grouped 6-8-4 (`110101-19900307-4514`) or with one
 * separator (see {@link S}) anywhere between digits, as ASR spaces them. Masked only when the ISO 7064
 * MOD 11-2 check digit is right, so an 18-digit order or ticket number that happens to look like a date
 * is left alone (about 1 in 11 would pass by chance); a mis-heard digit therefore also escapes the mask.
 * Digits glued to a word (`stc3-…`, `ad…`, `order_…`) are an identifier, not an ID number.
 * Shown as `370***********123X` (first 3 and last 4). The 15-digit first-generation numbers (void since
 * 2013) are not looked for.
 */
const ID_NUMBER = new RegExp(`(?<![0-9A-Za-z_][-_]?)[1-9](?:${S}?[0-9]){16}${S}?[0-9Xx](?![0-9])`, 'g');
/** The date and region shape of an ID number's 18 characters (the pattern above only counts digits). */
const ID_SHAPE = /^[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]$/;

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** Whether an 18-character resident ID number has the right ISO 7064 MOD 11-2 check digit. */
export function idChecksumValid(id: string): boolean {
  if (!/^[0-9]{17}[0-9Xx]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === id[17].toUpperCase();
}

/**
 * Bank-card numbers (ISO/IEC 7812): 16 to 19 digits, contiguous or in groups of at least 3 separated by
 * single spaces or dashes (`6222 0212 3456 7890 123`), passing the Luhn check, with an issuer prefix of a
 * payment card (first digit 3, 4, 5, 6 or 9, or 2221–2720 for Mastercard's 2-series): order numbers that
 * start with a year (`2024…`) or `1`, and digits glued to a word (`stc3-3830772740080373`), are left alone. Shown as `6222 **** **** ***0 123` (first 4, last 4).
 */
const BANK_CARD = new RegExp(`(?<![0-9A-Za-z_][-_]?)[2-69][0-9](?:${S}?[0-9]){14,17}(?![0-9])`, 'g');
const SEPARATOR = new RegExp(S, 'g');

/** Whether a string of digits passes the Luhn check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Whether 16–19 digits have a payment card's issuer prefix and pass Luhn. */
function cardDigits(digits: string): boolean {
  if (digits.length < 16 || digits.length > 19) return false;
  if (digits[0] === '2') {
    const prefix = Number(digits.slice(0, 4));
    if (prefix < 2221 || prefix > 2720) return false;
  }
  return luhnValid(digits);
}

/**
 * How much of a card candidate (digits with their separators) is a card: the whole of it, or its first
 * groups when the whole fails (`6222021234567890 12` is a card and a short number); undefined when no
 * part is. Groups must be written as people write a card: one kind of separator, and no group shorter
 * than 3 digits (not digits spaced one by one).
 */
function cardLength(text: string): number | undefined {
  if (new Set(text.match(SEPARATOR)).size > 1) return undefined;
  const groups = text.split(SEPARATOR);
  let usable = groups.findIndex((g) => g.length < 3);
  if (usable === -1) usable = groups.length;
  for (let k = usable; k >= 1; k--) {
    const head = groups.slice(0, k);
    const digits = head.join('');
    if (digits.length < 16) return undefined;
    if (cardDigits(digits)) return head.join(' ').length;
  }
  return undefined;
}

/**
 * E-mail addresses (the common subset of RFC 5322's dot-atom: local part up to 64 characters, a domain
 * of labels with a letter-only top-level label). Shown as `z*******@example.com` (first character of the
 * local part, the rest starred one for one, the domain kept).
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63}){1,8}(?![A-Za-z0-9-])/g;

/**
 * Every number and e-mail address to mask in `original` (whose half-width form is `norm`), in no
 * particular order; spans of different kinds may overlap (see `pii.ts` for which wins).
 */
export function findNumbers(norm: string, original: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  if (norm.includes('@')) {
    spans.push(
      ...scan(norm, original, EMAIL, 'email', (text, at) => {
        const sign = text.indexOf('@');
        if (!/\.[A-Za-z]{2,63}$/.test(text.slice(sign))) return undefined;
        const kept = original.slice(at, at + text.length);
        return { length: text.length, replacement: kept.slice(0, 1) + '*'.repeat(sign - 1) + kept.slice(sign) };
      }),
    );
  }
  if (!/[0-9]/.test(norm)) return spans;
  spans.push(
    ...scan(norm, original, ID_NUMBER, 'id_number', (text, at) => {
      const id = digitsOf(text);
      return ID_SHAPE.test(id) && idChecksumValid(id) ? starred(norm, original, at, text.length, 3, 4) : undefined;
    }),
    ...scan(norm, original, BANK_CARD, 'bank_card', (text, at) => {
      const length = cardLength(text);
      return length === undefined ? undefined : starred(norm, original, at, length, 4, 4);
    }),
    ...scan(norm, original, MOBILE, 'mobile', (text, at) => {
      // The prefix (+86 / 0086) is kept; the 11 digits after it are shown as 3 + **** + 4.
      const prefix = MOBILE_PREFIX.exec(text)?.[0].length ?? 0;
      const rest = starred(norm, original, at + prefix, text.length - prefix, 3, 4);
      return { length: text.length, replacement: original.slice(at, at + prefix) + rest.replacement };
    }),
    ...scan(norm, original, LANDLINE, 'landline', (text, at) => {
      // The area code (and its brackets or separator) is kept; the local number shows its last 4 digits.
      const area = LANDLINE_AREA.exec(text)?.[0].length ?? 0;
      const rest = starred(norm, original, at + area, text.length - area, 0, 4);
      return { length: text.length, replacement: original.slice(at, at + area) + rest.replacement };
    }),
  );
  return spans;
}
