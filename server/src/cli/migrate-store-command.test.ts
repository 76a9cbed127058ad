/** What `mofang migrate-store` prints: the counts table, damaged JSON per column, and never a password. */
import { describe, expect, it } from 'vitest';
import { formatReport, redactUrl } from './migrate-store-command.js';

describe('migrate-store output', () => {
  it('prints a row per table, a total, each damaged JSON column and the target without its password', () => {
    const text = formatReport(
      {
        tables: [
          { table: 'scenarios', sqliteRows: 12, postgresRows: 12, seconds: 0.013 },
          { table: 'runs', sqliteRows: 4810, postgresRows: 4810, seconds: 1.5 },
        ],
        damagedJson: [{ table: 'runs', column: 'outputs', rows: 2, first: ['id="r1"', 'id="r9"'] }],
        skippedTables: ['notes'],
        seconds: 1.61,
      },
      'postgres://mofang:s3cret@db:5432/mofang',
    );
    expect(text.split('\n')).toEqual([
      'table      sqlite  postgres  seconds',
      'scenarios      12        12     0.01',
      'runs         4810      4810     1.50',
      'total        4822      4822     1.61',
      'damaged JSON: runs.outputs: 2 row(s) copied as what SQLite reads them as (the column\'s unreadable marker); first: id="r1"; id="r9"',
      "not Mofang's, not copied: notes",
      'copied 4822 rows of 2 tables into postgres://mofang:***@db:5432/mofang in 1.61 s; row counts match',
      '',
    ]);
    expect(text).not.toContain('s3cret');
  });

  it('redacts only the password', () => {
    expect(redactUrl('postgres://u:p%40ss@h:1/d?sslmode=require')).toBe('postgres://u:***@h:1/d?sslmode=require');
    expect(redactUrl('postgres://u@h/d')).toBe('postgres://u@h/d');
  });
});
