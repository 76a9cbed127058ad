/**
 * Turns an upload's bytes into text as they arrive: decides the encoding from the file's start
 * (shared/src/text-encoding.ts: UTF-8, GB18030/GBK, UTF-16 with a BOM), then decodes chunk by chunk
 * in fatal mode, so a byte that does not belong to that encoding stops the upload with its line
 * instead of turning into mojibake. Also enforces the upload's byte limit.
 */
import {
  chooseEncoding,
  encodingLabel,
  ENCODING_SAMPLE_BYTES,
  firstNonAscii,
  guessEncoding,
  type AcceptedEncoding,
} from '@shared/text-encoding.js';

/** The upload is in an encoding Mofang does not read; `detected` names what it looks like. */
export class UploadEncodingError extends Error {
  constructor(
    readonly detected: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'UploadEncodingError';
  }
}

/** The upload is larger than the limit (bytes). */
export class UploadTooLargeError extends Error {
  constructor(
    readonly limitBytes: number,
    readonly setting: string,
  ) {
    super(`the upload is larger than ${limitBytes} bytes (${setting})`);
    this.name = 'UploadTooLargeError';
  }
}

export interface DecodeOptions {
  /** Largest upload in bytes. */
  limitBytes: number;
  /** The setting that sets the limit, named in the error. */
  limitSetting: string;
  /** Called once the encoding is known. */
  onEncoding?: (encoding: AcceptedEncoding) => void;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Bytes as text when they are ASCII only (so the same in every accepted encoding). */
function ascii(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/** Where in `chunk` decoding breaks (with a fresh decoder, byte by byte) and the newlines before it. */
function locateBreak(chunk: Uint8Array, encoding: AcceptedEncoding): { offset: number; newlines: number } {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let newlines = 0;
  for (let i = 0; i < chunk.length; i++) {
    try {
      newlines += countNewlines(decoder.decode(chunk.subarray(i, i + 1), { stream: true }));
    } catch {
      return { offset: i, newlines };
    }
  }
  return { offset: chunk.length, newlines };
}

/**
 * Runs chardet once on 2 KB of double-byte text: its first runs are slow (100–300 ms as V8 compiles
 * it), which the server pays at start rather than at the first GBK upload.
 */
export function preloadEncodingGuess(): void {
  const sample = new Uint8Array(2048);
  for (let i = 0; i < sample.length; i += 2) {
    sample[i] = 0xb0 + ((i * 7) % 0x48);
    sample[i + 1] = 0xa1 + ((i * 13) % 0x5e);
  }
  for (let round = 0; round < 3; round++) guessEncoding(sample);
}

/** Most bytes decoded (and so handed on to a parser) at a time. */
const PIECE = 16 * 1024;

/**
 * The source in pieces of at most {@link PIECE} bytes. A stream's iterator hands over everything it
 * has buffered at once, megabytes after a busy moment, and a CSV parser parses a chunk in one go: in
 * small pieces, every stage downstream works a few milliseconds at a time.
 */
async function* pieces(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    for (let at = 0; at < chunk.length; at += PIECE) yield chunk.subarray(at, at + PIECE);
  }
}

/**
 * Text in slices of at most {@link PIECE} characters (what is held while the encoding is decided comes
 * out at once), never between the two halves of a surrogate pair: a parser that turns each slice into
 * bytes would make each half a U+FFFD.
 */
export function* slices(text: string): Generator<string> {
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + PIECE);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield text.slice(at, end);
    at = end;
  }
}

/**
 * The text of an upload, chunk by chunk. Throws {@link UploadEncodingError} (refused encoding, or a
 * broken byte later on, with its 1-based line) or {@link UploadTooLargeError}.
 */
export async function* decodeUpload(source: AsyncIterable<Uint8Array | string>, options: DecodeOptions): AsyncGenerator<string> {
  let total = 0;
  let lines = 0;
  /** The file's first 4 bytes (BOM, ZIP signature), once there are 4. */
  let head: Uint8Array | undefined;
  /** Bytes read but not yet given out, while the encoding is undecided. */
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  /** Where the first non-ASCII byte is within `held` (−1 before there is one). */
  let sampleStart = -1;
  let decoder: TextDecoder | undefined;
  let encoding: AcceptedEncoding | undefined;

  const emit = (text: string): string => {
    lines += countNewlines(text);
    return text;
  };
  const refuse = (detected: string, line: number, what: string): never => {
    throw new UploadEncodingError(detected, line, `${what}: it looks like ${detected}. Save the file as UTF-8 (or GB18030/GBK, or UTF-16 with a BOM) and upload it again`);
  };
  const decode = (bytes: Uint8Array, final: boolean): string => {
    if (!decoder || !encoding) throw new Error('no decoder yet');
    try {
      return emit(decoder.decode(bytes, { stream: !final }));
    } catch {
      const at = locateBreak(bytes, encoding);
      const line = lines + at.newlines + 1;
      return refuse(guessEncoding(bytes.subarray(at.offset, at.offset + ENCODING_SAMPLE_BYTES)).name, line, `line ${line} is not ${encodingLabel(encoding)} like the lines before it`);
    }
  };
  /** Decides from what is held; returns the text that can be given out now. */
  const decide = (complete: boolean): string => {
    const bytes = concat(held);
    held.length = 0;
    heldBytes = 0;
    const start = sampleStart < 0 ? bytes.length : sampleStart;
    const sample = bytes.subarray(start, start + ENCODING_SAMPLE_BYTES);
    const choice = chooseEncoding(head ?? bytes.subarray(0, 4), sample, complete || sample.length < ENCODING_SAMPLE_BYTES);
    const prefix = ascii(bytes.subarray(0, start));
    if ('refused' in choice) return refuse(choice.detected, lines + countNewlines(prefix) + 1, 'the file is not UTF-8');
    encoding = choice.encoding;
    decoder = new TextDecoder(encoding, { fatal: true });
    options.onEncoding?.(encoding);
    // With a BOM the decoder reads everything (and drops the BOM); without, the ASCII prefix is text as it is.
    if (choice.bom > 0) return decode(bytes, complete);
    return emit(prefix) + decode(bytes.subarray(start), complete);
  };

  for await (const chunk of pieces(source)) {
    total += chunk.length;
    if (total > options.limitBytes) throw new UploadTooLargeError(options.limitBytes, options.limitSetting);
    if (decoder) {
      const text = decode(chunk, false);
      yield* slices(text);
      continue;
    }
    held.push(chunk);
    heldBytes += chunk.length;
    if (sampleStart < 0) {
      const at = firstNonAscii(chunk);
      if (at >= 0) sampleStart = heldBytes - chunk.length + at;
    }
    if (!head) {
      if (heldBytes < 4) continue;
      head = concat(held).slice(0, 4);
    }
    if (sampleStart >= 0 ? heldBytes - sampleStart >= ENCODING_SAMPLE_BYTES : heldBytes >= ENCODING_SAMPLE_BYTES) {
      // ASCII only so far (past the head, so no BOM): the same text in every encoding; give it out.
      if (sampleStart < 0 && !isMarked(head)) {
        const bytes = concat(held);
        held.length = 0;
        heldBytes = 0;
        yield* slices(emit(ascii(bytes)));
        continue;
      }
      const text = decide(false);
      yield* slices(text);
    }
  }
  if (!decoder) {
    if (held.length === 0) return;
    const text = decide(true);
    yield* slices(text);
  }
  const rest = decode(new Uint8Array(0), true);
  yield* slices(rest);
}

/** Whether the file's first bytes are a ZIP signature (all ASCII, so they need a decision of their own). */
function isMarked(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}
