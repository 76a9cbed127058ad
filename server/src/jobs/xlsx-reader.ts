/**
 * exceljs's streaming workbook reader, in a module of its own so that xlsx-items.ts can load it on
 * first use (exceljs takes a few hundred ms to load; every CLI command would pay that).
 */
import ExcelJS from 'exceljs';

export const WorkbookReader = ExcelJS.stream.xlsx.WorkbookReader;
