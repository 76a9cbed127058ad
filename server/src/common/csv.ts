/**
 * The server's one CSV writer (job results, the audit log), on csv-stringify: CRLF records (RFC 4180), a
 * field quoted when it holds a comma, a quote or a line break of either kind; objects, arrays and booleans
 * as JSON. A text value that a spreadsheet program would run as a formula when it opens the file
 * (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`, also after a tab or a carriage return) gets a leading `'`, so it
 * opens as the text it is (OWASP's advice for CSV injection; item ids, model outputs and names are other
 * people's text); numbers stay numbers.
 */
import { stringify, type Options } from 'csv-stringify/sync';

const CSV_OPTIONS: Options = {
  record_delimiter: '\r\n',
  quoted_match: /[\r\n]/,
  escape_formulas: true,
  cast: { boolean: (value) => String(value), object: (value) => JSON.stringify(value) },
};

/** CSV text of `records` (one array of cells each), each ending in CRLF; `bom` puts a UTF-8 BOM first. */
export function csvRecords(records: unknown[][], bom = false): string {
  return stringify(records, { ...CSV_OPTIONS, bom });
}
