import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { decodeUpload, slices, UploadEncodingError, UploadTooLargeError } from './decode-upload.js';

const lines = Array.from({ length: 300 }, (_, i) => `${i + 1},"坐席：您好，请问有什么可以帮您？\n客户：宽带第 ${i} 次断了，路由器灯一直红。"`);
const text = `id,transcript\r\n${lines.join('\r\n')}\r\n`;

/** `bytes` in pieces of 1, 2, 3, … 7 bytes and back to 1, so characters are split at every offset. */
function* pieces(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0, n = 1; at < bytes.length; at += n, n = (n % 7) + 1) yield bytes.subarray(at, at + n);
}

async function* from(parts: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* parts;
}

async function decodeAll(bytes: Uint8Array | Iterable<Uint8Array>, limitBytes = 1e9): Promise<{ text: string; encoding: string | undefined }> {
  let encoding: string | undefined;
  let out = '';
  const parts = bytes instanceof Uint8Array ? [bytes] : bytes;
  for await (const chunk of decodeUpload(from(parts), { limitBytes, limitSetting: 'MOFANG_JOB_UPLOAD_LIMIT', onEncoding: (e) => (encoding = e) })) out += chunk;
  return { text: out, encoding };
}

async function refusal(bytes: Uint8Array | Iterable<Uint8Array>): Promise<UploadEncodingError> {
  const error = await decodeAll(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UploadEncodingError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('decoding an upload as it streams', () => {
  it('decodes GBK, UTF-16LE with a BOM and UTF-8 with a BOM split at every byte offset', async () => {
    expect(await decodeAll(pieces(iconv.encode(text, 'gbk')))).toEqual({ text, encoding: 'gb18030' });
    expect(await decodeAll(pieces(iconv.encode(text, 'utf16le', { addBOM: true })))).toEqual({ text, encoding: 'utf-16le' });
    expect(await decodeAll(pieces(Buffer.from(`\uFEFF${text}`)))).toEqual({ text, encoding: 'utf-8' });
    expect(await decodeAll(pieces(Buffer.from(text)))).toEqual({ text, encoding: 'utf-8' });
  });

  it('decides on the first non-ASCII bytes even after a long ASCII start', async () => {
    const ascii = `id,transcript\n${Array.from({ length: 5000 }, (_, i) => `${i},plain ascii line number ${i}`).join('\n')}\n`;
    const gbk = iconv.encode(`${ascii}9999,客户：宽带断了，路由器灯一直红，麻烦尽快派人来修。\n`, 'gbk');
    const parts = Array.from({ length: Math.ceil(gbk.length / 16384) }, (_, i) => gbk.subarray(i * 16384, (i + 1) * 16384));
    expect(await decodeAll(parts)).toEqual({ text: iconv.decode(gbk, 'gbk'), encoding: 'gb18030' });
  });

  it('refuses a Big5 file before any text comes out, naming Big5 and the first line that is not ASCII', async () => {
    const error = await refusal(iconv.encode(text.replace(/宽带/g, '寬頻'), 'big5'));
    expect(error).toMatchObject({ detected: 'Big5', line: 2 });
    expect(error.message).toContain('not UTF-8');
  });

  it('refuses a file that turns from UTF-8 to GBK, naming the line where it does', async () => {
    const utf8 = Buffer.from(text);
    const gbkTail = iconv.encode(`301,"客户：宽带又断了，这是第三次了，路由器灯一直红，请尽快处理。"\r\n`, 'gbk');
    const error = await refusal([utf8, gbkTail]);
    expect(error.line).toBe(text.split('\n').length);
    expect(error.message).toMatch(/^line \d+ is not UTF-8/);
  });

  it('hands text on in slices that never split a surrogate pair (an emoji in a transcript stays whole)', async () => {
    const text = `${'a'.repeat(16 * 1024 - 1)}😀${'客户：宽带断了😀'.repeat(5000)}`;
    const parts = [...slices(text)];
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => p.length <= 16 * 1024 && !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
    expect((await decodeAll(Buffer.from(text))).text).toBe(text);
  });

  it('stops at the byte limit', async () => {
    await expect(decodeAll(Buffer.from(text), 1000)).rejects.toBeInstanceOf(UploadTooLargeError);
  });
});
