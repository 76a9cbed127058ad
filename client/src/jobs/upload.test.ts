import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { buildXlsx } from '../../../bench/xlsx-fixture';
import { countCsvRecords, formatDuration, prepareText, prepareUpload, XLSX_TYPE } from './upload';

const csv = 'id,transcript\r\na,"坐席：您好\n客户：宽带断了"\r\nb,"客户：话费多扣了"\r\n';

describe('job upload', () => {
  it('counts JSONL lines, skipping blank ones', () => {
    const u = prepareText('calls.jsonl', '{"inputs":{}}\n\n{"inputs":{}}\r\n{"inputs":{}}\n');
    expect(u).toMatchObject({ kind: 'jsonl', contentType: 'application/x-ndjson', items: 3 });
  });

  it('counts CSV records after the header, with newlines inside quotes', () => {
    expect(countCsvRecords('id,transcript\r\na,"坐席：您好\n客户：你好"\r\nb,"x ""y"""\r\n')).toBe(3);
    expect(prepareText('day.CSV', '\uFEFFid,transcript\na,"1\n2"\n')).toMatchObject({ kind: 'csv', contentType: 'text/csv', items: 1 });
  });

  it('wraps a JSON array as { items }', () => {
    const u = prepareText('calls.json', '[{"inputs":{"a":1}},{"inputs":{"a":2}}]');
    expect(u).toMatchObject({ kind: 'json', items: 2 });
    expect(JSON.parse(String(u.body))).toEqual({ items: [{ inputs: { a: 1 } }, { inputs: { a: 2 } }] });
  });

  it('reads a GBK CSV and a UTF-16 JSONL file and sends their text as UTF-8', () => {
    expect(prepareUpload('今天.csv', iconv.encode(csv, 'gbk'))).toEqual({ name: '今天.csv', kind: 'csv', contentType: 'text/csv', body: csv, items: 2, encoding: 'GB18030/GBK' });
    const jsonl = '{"inputs":{"transcript":"客户：宽带断了"}}\n';
    expect(prepareUpload('a.jsonl', iconv.encode(jsonl, 'utf16le', { addBOM: true }))).toMatchObject({ kind: 'jsonl', body: jsonl, items: 1, encoding: 'UTF-16LE' });
  });

  it('refuses before sending a file in another encoding, naming it, and an old .xls workbook', () => {
    expect(prepareUpload('今天.csv', iconv.encode(csv.replace('宽带', '寬頻'), 'big5'))).toEqual({ refused: 'encoding', name: '今天.csv', detected: 'Big5' });
    expect(prepareUpload('old.xls', Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toEqual({ refused: 'xls', name: 'old.xls' });
  });

  it('sends an .xlsx workbook as it is, with its type, for the server to read', async () => {
    const bytes = new Uint8Array(await buildXlsx(['id', 'transcript'], 2, (i) => [`c${i}`, '客户：宽带断了']));
    for (const name of ['day.xlsx', 'day-without-extension']) {
      const u = prepareUpload(name, bytes);
      expect(u).toMatchObject({ kind: 'xlsx', contentType: XLSX_TYPE, items: null });
      if (!('body' in u) || !(u.body instanceof Blob)) throw new Error('expected a Blob body');
      expect(new Uint8Array(await u.body.arrayBuffer())).toEqual(bytes);
    }
  });

  it('formats durations', () => {
    expect([5, 65, 3725].map(formatDuration)).toEqual(['5s', '1m 05s', '1h 02m']);
  });
});
