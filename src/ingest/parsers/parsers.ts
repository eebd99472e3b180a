import path from 'node:path';
import { parseDocx } from './docx-parser.js';
import { parseHtml } from './html-parser.js';
import { parseMarkdown } from './markdown-parser.js';
import type { Parser } from './parsed-document.js';
import { parsePdf } from './pdf-parser.js';
import { parsePptx } from './pptx-parser.js';
import { parseText } from './text-parser.js';
import { parseXlsx } from './xlsx-parser.js';

/** Parsers by lower-case file extension. */
export const parsersByExtension: ReadonlyMap<string, Parser> = new Map<string, Parser>([
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

export function parserFor(filePath: string): Parser | undefined {
  return parsersByExtension.get(path.extname(filePath).toLowerCase());
}
