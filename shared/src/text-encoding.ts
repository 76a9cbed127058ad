/**
 * Which text encoding an uploaded job file is in, decided the same way on the server (while the
 * upload streams in) and in the browser (before it is sent). Accepted: UTF-8 (with or without a BOM),
 * GB18030 (and so GBK and GB2312, its subsets) and UTF-16 with a BOM. Anything else is refused with
 * the encoding it looks like, never decoded into mojibake. Uses the platform's `TextDecoder` (fatal
 * mode) to check, and chardet's statistics to tell GB18030 from Big5, Shift_JIS, EUC-KR or Latin-1,
 * which are just as valid byte for byte.
 */
import { analyse } from 'chardet';

/** Encodings a job file may be in, as `TextDecoder` labels. */
export type AcceptedEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

/** A decision: decode with `encoding`; `bom` bytes at the start are the byte-order mark. */
export interface EncodingChoice {
  encoding: AcceptedEncoding;
  bom: number;
}

/** A refusal: the file is in none of the accepted encodings; `detected` names what it looks like. */
export interface EncodingRefusal {
  refused: true;
  detected: string;
  /** The 1-based line where a file that starts as UTF-8 stops being it. */
  line?: number;
}

/** How many bytes from the first non-ASCII one are read before deciding. */
export const ENCODING_SAMPLE_BYTES = 64 * 1024;

/**
 * Bytes chardet looks at: its statistics are sure of Chinese, Japanese or Korean text after a few
 * hundred bytes, and it costs about 6 ms a KB (64 KB held the event loop for 400 ms).
 */
const GUESS_BYTES = 2048;

/** chardet's confidence (0–100) below which a GB18030 guess is not trusted. */
const MIN_GB_CONFIDENCE = 50;

/** Multi-byte UTF-8 characters in a row that make a file UTF-8 even if it breaks later (GBK rarely forms 3 by chance). */
const UTF8_EVIDENCE = 3;

/**
 * How far `bytes` are valid UTF-8 (a character cut off at the end counts as valid) and how many
 * multi-byte characters that part holds.
 */
export function utf8Prefix(bytes: Uint8Array): { valid: number; multibyte: number } {
  let multibyte = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i += 1;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) break;
    let ok = true;
    for (let k = 1; k <= need && i + k < bytes.length; k++) {
      const c = bytes[i + k];
      // The second byte's range is narrower after E0, ED, F0 and F4 (no overlongs, surrogates or > U+10FFFF).
      const lo = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80;
      const hi = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf;
      if (c < lo || c > hi) ok = false;
    }
    if (!ok) break;
    if (i + need >= bytes.length) return { valid: bytes.length, multibyte };
    multibyte += 1;
    i += need + 1;
  }
  return { valid: i, multibyte };
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The encoding a BOM at the start of `bytes` announces, or a refusal for UTF-32; undefined without one. */
function fromBom(b: Uint8Array): EncodingChoice | EncodingRefusal | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { refused: true, detected: 'UTF-32LE' };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { refused: true, detected: 'UTF-32BE' };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  return undefined;
}

/** What a sample holding NUL bytes is: UTF-16 without a BOM (every other byte zero) or binary data. */
function nulKind(b: Uint8Array): string {
  let even = 0;
  let odd = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0) (i % 2 === 0 ? even++ : odd++);
  // Mostly ASCII text in UTF-16: zeros on one parity of byte only.
  const half = b.length / 2;
  if ((odd > half * 0.3 && even < odd / 10) || (even > half * 0.3 && odd < even / 10)) return 'UTF-16 without a BOM';
  return 'binary data';
}

/** Whether `bytes` decode without error in `encoding` (a truncated character at the end is allowed unless `complete`). */
export function decodesCleanly(bytes: Uint8Array, encoding: AcceptedEncoding, complete: boolean): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** The encoding chardet names for the start of `bytes`, or "an unknown encoding". */
export function guessEncoding(bytes: Uint8Array): { name: string; confidence: number } {
  const [best] = analyse(bytes.subarray(0, GUESS_BYTES));
  return best ? { name: best.name, confidence: best.confidence } : { name: 'an unknown encoding', confidence: 0 };
}

/**
 * Decides the encoding of a file from its start. `head` is the file's first bytes (for a BOM, a zip
 * signature and NUL bytes); `sample` the bytes from its first non-ASCII byte on (up to
 * {@link ENCODING_SAMPLE_BYTES}), empty when there is none; `complete` says the sample reaches the
 * end of the file. A file of ASCII only is UTF-8.
 */
export function chooseEncoding(head: Uint8Array, sample: Uint8Array, complete: boolean): EncodingChoice | EncodingRefusal {
  const bom = fromBom(head);
  if (bom) return bom;
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return { refused: true, detected: 'a ZIP archive (an .xlsx workbook?)' };
  if (head.includes(0) || sample.includes(0)) return { refused: true, detected: nulKind(head.includes(0) ? head : sample) };
  if (sample.length === 0 || decodesCleanly(sample, 'utf-8', complete)) return { encoding: 'utf-8', bom: 0 };
  // UTF-8 that breaks further on is UTF-8 with a bad part: the decoder refuses it there, with its line.
  if (utf8Prefix(sample).multibyte >= UTF8_EVIDENCE) return { encoding: 'utf-8', bom: 0 };
  const guess = guessEncoding(sample);
  if (guess.name === 'GB18030' && guess.confidence >= MIN_GB_CONFIDENCE && decodesCleanly(sample, 'gb18030', complete)) return { encoding: 'gb18030', bom: 0 };
  // A few words (a short CSV) are too little for chardet's statistics: it guesses a single-byte code page.
  // Text in GB2312's own ranges throughout is GBK then; Big5's common characters fall outside them.
  const sure = guess.confidence >= MIN_GB_CONFIDENCE || /^(Big5|Shift_JIS|EUC-|ISO-2022)/.test(guess.name);
  if (!sure && inGb2312Ranges(sample) && decodesCleanly(sample, 'gb18030', complete)) return { encoding: 'gb18030', bom: 0 };
  return { refused: true, detected: guess.name };
}

/**
 * Whether the double-byte characters of `bytes` (at least two) lie in GB2312's symbol rows (lead 0xA1–0xA9)
 * or Hanzi rows (0xB0–0xF7), trail 0xA1–0xFE, at least 90% of them. Big5's common characters have a trail
 * byte of 0x40–0x7E about 40% of the time, so Big5 text fails this.
 */
export function inGb2312Ranges(bytes: Uint8Array): boolean {
  let pairs = 0;
  let inRange = 0;
  for (let i = 0; i < bytes.length; i++) {
    const lead = bytes[i];
    if (lead < 0x80) continue;
    const trail = bytes[i + 1];
    if (trail === undefined) break;
    pairs++;
    if (((lead >= 0xa1 && lead <= 0xa9) || (lead >= 0xb0 && lead <= 0xf7)) && trail >= 0xa1 && trail <= 0xfe) inRange++;
    i++;
  }
  return pairs >= 2 && inRange >= pairs * 0.9;
}

/** Index of the first byte ≥ 0x80 (or a NUL) in `bytes` from `from`, or -1. */
export function firstNonAscii(bytes: Uint8Array, from = 0): number {
  for (let i = from; i < bytes.length; i++) if (bytes[i] >= 0x80 || bytes[i] === 0) return i;
  return -1;
}

/** A whole file as text, or why it cannot be read (the browser's path; the server streams). */
export function decodeFile(bytes: Uint8Array): { text: string; encoding: AcceptedEncoding } | EncodingRefusal {
  const start = firstNonAscii(bytes);
  const sample = start < 0 ? new Uint8Array(0) : bytes.subarray(start, start + ENCODING_SAMPLE_BYTES);
  const choice = chooseEncoding(bytes.subarray(0, 4096), sample, start < 0 || start + ENCODING_SAMPLE_BYTES >= bytes.length);
  if ('refused' in choice) return choice;
  try {
    // The decoder drops the BOM itself.
    return { text: new TextDecoder(choice.encoding, { fatal: true }).decode(bytes), encoding: choice.encoding };
  } catch {
    // Clean at the start, broken further on: say where, and what the broken part looks like.
    const at = choice.encoding === 'utf-8' ? utf8Prefix(bytes).valid : -1;
    if (at < 0) return { refused: true, detected: `${guessEncoding(bytes).name} (in part)` };
    return { refused: true, detected: guessEncoding(bytes.subarray(at, at + ENCODING_SAMPLE_BYTES)).name, line: lineAt(bytes, at) };
  }
}

/** How an encoding is named to people. */
export function encodingLabel(encoding: AcceptedEncoding): string {
  return encoding === 'gb18030' ? 'GB18030/GBK' : encoding.toUpperCase();
}
