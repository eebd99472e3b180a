import * as cheerio from 'cheerio';
import { DocumentUnreadableError } from '../../errors.js';
import { renderHtml } from './html-parser.js';
import { refuseCompoundFile, SectionBuilder, type ParsedDocument } from './parsed-document.js';

/** Word (.docx): mammoth maps styles to HTML headings, lists and tables, rendered like any HTML. */
export async function parseDocx(bytes: Buffer): Promise<ParsedDocument> {
  refuseCompoundFile(bytes, 'Word');
  let html: string;
  try {
    const { default: mammoth } = await import('mammoth'); // loaded only when a .docx is met
    html = (await mammoth.convertToHtml({ buffer: bytes })).value;
  } catch (error) {
    throw new DocumentUnreadableError(`it is not a valid Word document (${(error as Error).message})`, error);
  }
  const $ = cheerio.load(html);
  const builder = new SectionBuilder();
  renderHtml($, $('body'), builder);
  const sections = builder.build();
  return { title: builder.firstHeading, sections };
}
