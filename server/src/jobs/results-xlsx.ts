/**
 * A job's results as an Excel workbook (.xlsx), streamed: exceljs's WorkbookWriter commits each row as
 * it is written (no shared strings, so nothing grows with the rows), zipped straight into the response.
 * exceljs is loaded on the first such download only (it costs a few hundred ms and ≈ 30 MB), never at start.
 */
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { JobResultLine } from '@shared/jobs.js';
import type { ResultColumn } from './result-columns.js';

/** Widest a column is drawn, in characters (a transcript or JSON cell would be thousands). */
const MAX_WIDTH = 60;

/** Excel's limit on the text of one cell. */
const CELL_LIMIT = 32_767;

/** The sheet's name: Excel allows 31 characters and none of `[]:*?/\`. */
export const RESULTS_SHEET = 'results';

function widthOf(column: ResultColumn): number {
  if (column.kind === 'id') return 28;
  if (column.kind === 'number' || column.kind === 'result') return Math.max(10, Math.min(MAX_WIDTH, [...column.header].length + 4));
  return Math.max(14, Math.min(MAX_WIDTH, [...column.header].length + 4));
}

/**
 * Writes a header row of `columns` and one row per line of `pages` to `out` as a workbook with one sheet
 * (`results`, header bold and frozen), then ends `out`. Text longer than a cell holds is cut at Excel's
 * 32 767 characters. Stops early, without ending, when `out` is destroyed (the reader went away).
 */
export async function writeXlsxResults(out: Writable, columns: ResultColumn[], pages: AsyncIterable<JobResultLine[]>): Promise<void> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet(RESULTS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, key: c.header, width: widthOf(c) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for await (const lines of pages) {
    if (out.destroyed) return;
    for (const line of lines) {
      sheet.addRow(columns.map((c) => {
        const value = c.cell(line);
        return typeof value === 'string' && value.length > CELL_LIMIT ? value.slice(0, CELL_LIMIT) : value;
      })).commit();
    }
    await nextTurn();
  }
  sheet.commit();
  await workbook.commit();
}
