import path from 'node:path';
import { parseHtml } from './html-parser.js';
import { parseMarkdown } from './markdown-parser.js';
import type { Parser } from './parsed-document.js';
import { parseText } from './text-parser.js';

/** Parsers by lower-case file extension. Office and PDF formats plug in here. */
export const parsersByExtension: ReadonlyMap<string, Parser> = new Map([
  ['.md', parseMarkdown],
  ['.markdown', parseMarkdown],
  ['.html', parseHtml],
  ['.htm', parseHtml],
  ['.txt', parseText],
]);

export function parserFor(filePath: string): Parser | undefined {
  return parsersByExtension.get(path.extname(filePath).toLowerCase());
}
