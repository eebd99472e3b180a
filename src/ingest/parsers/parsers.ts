import path from 'node:path';
import type { ZipLimits } from '../zip-limits.js';
import { parseDocx } from './docx-parser.js';
import { parseHtml } from './html-parser.js';
import { parseMarkdown } from './markdown-parser.js';
import type { ParsedDocument } from './parsed-document.js';
import { parsePdf } from './pdf-parser.js';
import { parsePptx } from './pptx-parser.js';
import { parseText } from './text-parser.js';
import { parseXlsx } from './xlsx-parser.js';

/** Parses a file of one format; Office formats unpack under `officeLimits`. */
export type FileParser = (bytes: Buffer, officeLimits?: ZipLimits) => ParsedDocument | Promise<ParsedDocument>;

/** Parsers by lower-case file extension. */
export const parsersByExtension: ReadonlyMap<string, FileParser> = new Map<string, FileParser>([
  ['.md', parseMarkdown],
  ['.markdown', parseMarkdown],
  ['.html', parseHtml],
  ['.htm', parseHtml],
  ['.txt', parseText],
  ['.docx', parseDocx],
  ['.pptx', parsePptx],
  ['.xlsx', parseXlsx],
  ['.pdf', parsePdf],
]);

/** The lower-case extension of a file whose format is read ('.md'), or null. */
export function readableFormat(filePath: string): string | null {
  const extension = path.extname(filePath).toLowerCase();
  return parsersByExtension.has(extension) ? extension : null;
}
