import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { decodeFile, utf8Prefix } from './text-encoding';

const text = 'id,transcript\r\n1,"坐席：您好，请问有什么可以帮您？\n客户：我家宽带断了，路由器灯一直红。"\r\n2,"客户：话费怎么多扣了二十元？"\r\n';

describe('job file encodings', () => {
  it('reads UTF-8, with or without a BOM, and ASCII', () => {
    expect(decodeFile(Buffer.from(text))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeFile(Buffer.from(`\uFEFF${text}`))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeFile(Buffer.from('id,a\r\n1,x\r\n'))).toEqual({ text: 'id,a\r\n1,x\r\n', encoding: 'utf-8' });
  });

  it('reads GBK and GB18030 as GB18030, and UTF-16 with a BOM', () => {
    expect(decodeFile(iconv.encode(text, 'gbk'))).toEqual({ text, encoding: 'gb18030' });
    expect(decodeFile(iconv.encode(text, 'gb18030'))).toEqual({ text, encoding: 'gb18030' });
    expect(decodeFile(iconv.encode(text, 'utf16le', { addBOM: true }))).toEqual({ text, encoding: 'utf-16le' });
    expect(decodeFile(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf16be')]))).toEqual({ text, encoding: 'utf-16be' });
  });

  it('reads a one-row GBK file, too short for statistics, and still refuses short Big5 and Shift_JIS', () => {
    for (const short of ['id,transcript\n1,"客户：宽带断了"\n', '客户：话费不对']) {
      expect(decodeFile(iconv.encode(short, 'gbk'))).toEqual({ text: short, encoding: 'gb18030' });
      expect(decodeFile(iconv.encode(short, 'big5'))).toMatchObject({ refused: true });
      expect(decodeFile(iconv.encode(short, 'shift_jis'))).toMatchObject({ refused: true });
    }
  });

  it('refuses what is valid byte for byte in GBK but is another encoding, naming it', () => {
    expect(decodeFile(iconv.encode(text.replace(/宽带/g, '寬頻'), 'big5'))).toEqual({ refused: true, detected: 'Big5' });
    expect(decodeFile(iconv.encode('id,text\r\n1,インターネットが切れました。料金について問い合わせたいです。\r\n', 'shift_jis'))).toEqual({ refused: true, detected: 'Shift_JIS' });
    expect(decodeFile(iconv.encode('id,text\r\n1,인터넷이 끊겼어요. 요금에 대해 문의하고 싶습니다.\r\n', 'euc-kr'))).toEqual({ refused: true, detected: 'EUC-KR' });
  });

  it('refuses UTF-16 without a BOM, UTF-32, binary data and ZIP archives', () => {
    expect(decodeFile(iconv.encode('id,transcript\r\n1,hello there\r\n', 'utf16le'))).toEqual({ refused: true, detected: 'UTF-16 without a BOM' });
    expect(decodeFile(Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]))).toEqual({ refused: true, detected: 'UTF-32LE' });
    expect(decodeFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0x08, 0]))).toMatchObject({ refused: true, detected: expect.stringContaining('ZIP') });
    expect(decodeFile(Buffer.from([0x7b, 0x01, 0x00, 0x00, 0xff, 0x13, 0x00, 0x9a, 0x00, 0x00, 0x37]))).toEqual({ refused: true, detected: 'binary data' });
  });

  it('refuses a UTF-8 file with a GBK part instead of decoding either half as mojibake, naming the line', () => {
    const mixed = Buffer.concat([Buffer.from(`${'a,'.repeat(40_000)}\n1,中文的行\n`), iconv.encode('2,宽带断了，路由器灯一直红，麻烦尽快派人来修\n', 'gbk')]);
    expect(decodeFile(mixed)).toEqual({ refused: true, detected: 'GB18030', line: 3 });
  });

  it('measures valid UTF-8 the way the platform decoder does', () => {
    for (const bytes of [[0xe4, 0xb8, 0xad, 0x41], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe4, 0xb8], [0x41, 0xff]]) {
      const { valid } = utf8Prefix(Uint8Array.from(bytes));
      let clean = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes), { stream: true });
      } catch {
        clean = false;
      }
      expect(valid === bytes.length).toBe(clean);
    }
  });
});
