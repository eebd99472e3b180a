import { DocumentUnreadableError, toGroundworkError } from '../../errors.js';
import type { ZipLimits } from '../zip-limits.js';
import { defaultOfficeLimits, storedZip, unpackOffice } from './office-zip.js';
import { refuseCompoundFile, SectionBuilder, tableRow, type ParsedDocument } from './parsed-document.js';

/** Excel (.xlsx): one section per sheet, headed by its name; rows as "header: value" lines. */
export async function parseXlsx(bytes: Buffer, limits: ZipLimits = defaultOfficeLimits): Promise<ParsedDocument> {
  refuseCompoundFile(bytes, 'Excel');
  const unpacked = await unpackOffice(bytes, limits, 'Excel workbook');
  const { default: ExcelJS } = await import('exceljs'); // loaded only when a .xlsx is met
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load((await storedZip(unpacked)) as unknown as ArrayBuffer);
  } catch (error) {
    throw new DocumentUnreadableError(`it is not a valid Excel workbook (${toGroundworkError(error).message})`, error);
  }
  const builder = new SectionBuilder();
  workbook.eachSheet((sheet) => {
    if (sheet.state !== 'visible') return; // hidden sheets are not what readers see
    builder.heading(1, sheet.name, { sheet: sheet.name });
    let headers: string[] | null = null;
    let rows = 0;
    sheet.eachRow((row) => {
      const cells: string[] = [];
      for (let column = 1; column <= row.cellCount; column++) cells.push(row.getCell(column).text ?? '');
      if (cells.every((cell) => cell.trim() === '')) return;
      if (!headers) headers = cells.map((cell) => cell.trim());
      else {
        builder.line(tableRow(headers, cells));
        rows++;
      }
    });
    // A sheet with a single row has no header/value pairs: keep its cells as they are.
    if (headers && rows === 0) builder.line(tableRow([], headers));
  });
  const sections = builder.build();
  return { title: workbook.title || null, sections, warnings: unpacked.warnings };
}
