/**
 * Builds an .xlsx workbook in memory with exceljs's streaming writer (as Excel files are: shared
 * strings, the sheet before them in the zip), for the benchmark and the tests.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

/** One sheet named `sheet`: the header row, then `rows` rows from `row(i)` (i from 0). */
export async function buildXlsx(header: string[], rows: number, row: (i: number) => unknown[], sheet = 'Sheet1'): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true });
  const worksheet = workbook.addWorksheet(sheet);
  worksheet.addRow(header).commit();
  for (let i = 0; i < rows; i++) worksheet.addRow(row(i)).commit();
  worksheet.commit();
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}
