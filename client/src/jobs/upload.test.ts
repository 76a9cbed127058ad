import { describe, expect, it } from 'vitest';
import { countCsvRecords, formatDuration, prepareUpload } from './upload';

describe('job upload', () => {
  it('counts JSONL lines, skipping blank ones', () => {
    const u = prepareUpload('calls.jsonl', '{"inputs":{}}\n\n{"inputs":{}}\r\n{"inputs":{}}\n');
    expect(u).toMatchObject({ kind: 'jsonl', contentType: 'application/x-ndjson', items: 3 });
  });

  it('counts CSV records after the header, with newlines inside quotes', () => {
    expect(countCsvRecords('id,transcript\r\na,"坐席：您好\n客户：你好"\r\nb,"x ""y"""\r\n')).toBe(3);
    expect(prepareUpload('day.CSV', '\uFEFFid,transcript\na,"1\n2"\n')).toMatchObject({ kind: 'csv', contentType: 'text/csv', items: 1 });
  });

  it('wraps a JSON array as { items }', () => {
    const u = prepareUpload('calls.json', '[{"inputs":{"a":1}},{"inputs":{"a":2}}]');
    expect(u).toMatchObject({ kind: 'json', items: 2 });
    expect(JSON.parse(u.body)).toEqual({ items: [{ inputs: { a: 1 } }, { inputs: { a: 2 } }] });
  });

  it('formats durations', () => {
    expect([5, 65, 3725].map(formatDuration)).toEqual(['5s', '1m 05s', '1h 02m']);
  });
});
