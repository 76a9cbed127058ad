import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evalCommandAction, EXIT_CANNOT_EVALUATE } from './eval-command.js';
import { parseSetSpec } from './set-spec.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mofang-set-spec-'));
const csv = path.join(dir, 'cases.csv');
const jsonl = path.join(dir, 'cases.jsonl');
writeFileSync(csv, 'transcript,warn\n你好,false\n');
writeFileSync(jsonl, '{"inputs": {"transcript": "客户：你好"}, "expected": {"warn": false}}\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ACCEPTED = /give --set a JSONL file .* or the name of a stored set .*name@2/;

describe('--set of mofang eval', () => {
  it('reads a file, a stored set and a stored set at a revision', () => {
    expect(parseSetSpec(jsonl)).toEqual({ kind: 'file', path: jsonl });
    expect(parseSetSpec('抽检')).toEqual({ kind: 'stored', name: '抽检' });
    expect(parseSetSpec('抽检@3')).toEqual({ kind: 'stored', name: '抽检', revision: 3 });
    expect(parseSetSpec('a@b@2')).toEqual({ kind: 'stored', name: 'a@b', revision: 2 });
  });

  it('says what is wrong and what is accepted for a bad revision, a CSV file, a directory, a missing file', () => {
    const cases: Array<[string, RegExp]> = [
      ['name@abc', /"abc" is not a revision \(a whole number from 1, e\.g\. name@2\)/],
      ['name@0', /"0" is not a revision/],
      ['@2', /no set name before "@"/],
      [csv, /is a CSV file, which mofang eval does not read/],
      [path.join(dir, 'book.xlsx'), /is a spreadsheet file/],
      [dir, /is a directory, not a set file/],
      [path.join(dir, 'missing.jsonl'), /the file does not exist/],
      ['', /--set is empty/],
    ];
    for (const [spec, said] of cases) {
      expect(() => parseSetSpec(spec), spec).toThrow(said);
      expect(() => parseSetSpec(spec), spec).toThrow(ACCEPTED);
    }
  });

  it('exits 2 with the message before anything runs', async () => {
    const graph = path.join(__dirname, '../../../templates/complaint-risk/graph.json');
    for (const spec of ['name@abc', csv, dir, path.join(dir, 'missing.jsonl')]) {
      let err = '';
      const code = await evalCommandAction(graph, { set: spec }, { stdout: () => {}, stderr: (t) => void (err += t), env: { MOFANG_DATA_DIR: dir } });
      expect(code, spec).toBe(EXIT_CANNOT_EVALUATE);
      expect(err, spec).toMatch(/^mofang: --set /);
      expect(err, spec).toMatch(ACCEPTED);
    }
  });
});
