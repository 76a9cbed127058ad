// Reads the rows of a workbook's first sheet with exceljs's streaming reader, on a worker thread of its
// own (xlsx-items.ts starts one per upload): exceljs takes a few hundred ms and ≈ 30 MB to load, which
// neither the server's event loop nor its idle memory should pay. workerData: { buffer: ArrayBuffer }
// (the .xlsx, already checked by xlsx-items.ts). Messages to the parent:
//   { type: 'sheet', name }                 the first sheet's name, before its rows
//   { type: 'rows', rows: [{ number, values }] }   a batch of rows (values: exceljs's 1-based, sparse
//                                           row.values, made plain); the next batch waits for 'more'
//   { type: 'end', sheets }                 done; sheets: whether the workbook had a worksheet
//   { type: 'error', message }              the workbook could not be read
import { parentPort, workerData } from 'node:worker_threads';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

const BATCH = 500;

/** A cell value as structured clone takes it: primitives, Dates and plain objects of them. */
function plain(value, depth = 0) {
  if (value === null || typeof value !== 'object' || value instanceof Date) return typeof value === 'function' ? undefined : value;
  if (depth > 4) return undefined;
  if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
  const out = {};
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'function') out[k] = plain(v, depth + 1);
  return out;
}

let resume;
parentPort.on('message', (message) => {
  if (message === 'more' && resume) {
    const go = resume;
    resume = undefined;
    go();
  }
});
const more = () => new Promise((resolve) => (resume = resolve));

async function main() {
  const source = Readable.from([Buffer.from(workerData.buffer)]);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  let done = false;
  for await (const worksheet of reader) {
    // The first tab; the others are skipped (a worksheet left unread is drained by the reader).
    const first = reader.model?.sheets?.[0]?.name;
    const name = typeof worksheet.name === 'string' ? worksheet.name : 'Sheet1';
    if (done || (first !== undefined && name !== first)) continue;
    done = true;
    parentPort.postMessage({ type: 'sheet', name });
    let rows = [];
    for await (const row of worksheet) {
      rows.push({ number: row.number, values: Array.isArray(row.values) ? plain(row.values) : [] });
      if (rows.length >= BATCH) {
        parentPort.postMessage({ type: 'rows', rows });
        rows = [];
        await more();
      }
    }
    if (rows.length > 0) {
      parentPort.postMessage({ type: 'rows', rows });
      await more();
    }
  }
  parentPort.postMessage({ type: 'end', sheets: done });
}

main().catch((error) => parentPort.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
