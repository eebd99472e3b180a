import { DocumentUnreadableError, GroundworkError, toGroundworkError } from '../../errors.js';
import type { ZipLimits } from '../zip-limits.js';
import { renderHtml } from './html-parser.js';
import { loadHtml } from './markup.js';
import { defaultOfficeLimits, storedZip, unpackOffice } from './office-zip.js';
import { refuseCompoundFile, SectionBuilder, type ParsedDocument } from './parsed-document.js';

/** Word (.docx): mammoth maps styles to HTML headings, lists and tables, rendered like any HTML. */
export async function parseDocx(bytes: Buffer, limits: ZipLimits = defaultOfficeLimits): Promise<ParsedDocument> {
  refuseCompoundFile(bytes, 'Word');
  const unpacked = await unpackOffice(bytes, limits, 'Word document');
  let html: string;
  try {
    const { default: mammoth } = await import('mammoth'); // loaded only when a .docx is met
    html = (await mammoth.convertToHtml({ buffer: await storedZip(unpacked) })).value;
  } catch (error) {
    if (error instanceof GroundworkError) throw error;
    throw new DocumentUnreadableError(`it is not a valid Word document (${toGroundworkError(error).message})`, error);
  }
  const $ = loadHtml(html);
  const builder = new SectionBuilder();
  renderHtml($, $('body'), builder);
  const sections = builder.build();
  return { title: builder.firstHeading, sections, warnings: unpacked.warnings };
}
