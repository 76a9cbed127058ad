import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvRecords } from './results.js';

/** One value written as a one-cell record, without its CRLF. */
function csvField(value: unknown): string {
  const text = csvRecords([[value]]);
  expect(text.endsWith('\r\n')).toBe(true);
  return text.slice(0, -2);
}

describe('csvRecords', () => {
  it('quotes a field with a comma, a quote or a line break', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\ronly')).toBe('"cr\ronly"');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvField([1, 2])).toBe('"[1,2]"');
    expect(csvField(true)).toBe('true');
  });

  it('opens text a spreadsheet would run as a formula as text', () => {
    expect(csvField('=HYPERLINK("http://x","点我")')).toBe('"\'=HYPERLINK(""http://x"",""点我"")"');
    expect(csvField('+cmd|\' /C calc\'!A0')).toBe("'+cmd|' /C calc'!A0");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvField('\t=1')).toBe("'\t=1");
  });

  it('leaves numbers and ordinary text as they are', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField(87.5)).toBe('87.5');
    expect(csvField('合格 = pass')).toBe('合格 = pass');
    expect(csvField('call-1')).toBe('call-1');
  });

  it('writes CRLF records, the BOM only when asked, and reads back with csv-parse', () => {
    const header = csvRecords([['id', 'reply']], true);
    expect(header).toBe('\uFEFFid,reply\r\n');
    const body = csvRecords([
      ['a', 'line one\nline two'],
      ['b', 'x,"y"'],
    ]);
    expect(body.startsWith('\uFEFF')).toBe(false);
    expect(parse(header + body, { bom: true })).toEqual([
      ['id', 'reply'],
      ['a', 'line one\nline two'],
      ['b', 'x,"y"'],
    ]);
  });
});
