import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { collapse, decodeText, SectionBuilder, tableRow, type ParsedDocument } from './parsed-document.js';

const skipped = new Set(['script', 'style', 'noscript', 'template', 'svg', 'nav', 'head', 'iframe', 'button', 'form']);
const blocks = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'blockquote', 'dd', 'dt', 'dl',
  'figure', 'figcaption', 'address', 'details', 'summary', 'hr', 'br', 'tr', 'caption', 'body', 'html',
]);

// Text a reader cannot see is not indexed: it is a known way to plant instructions for a model.
const hiddenStyle =
  /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|$|!)|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)|color\s*:\s*(?:white|#fff(?:fff)?|rgba?\(\s*255\s*,\s*255\s*,\s*255\s*(?:,\s*1(?:\.0+)?\s*)?\))\s*(?:;|$|!))/i;

function isHidden(element: Element): boolean {
  const attributes = element.attribs ?? {};
  if ('hidden' in attributes || attributes['aria-hidden'] === 'true') return true;
  const style = attributes.style;
  if (!style || !hiddenStyle.test(style)) return false;
  // White text is visible on a coloured background set on the same element.
  return !(/color\s*:\s*(?:white|#fff|rgb)/i.test(style) && /background/i.test(style) && !/display|visibility|font-size|opacity/i.test(style));
}

/** Renders an HTML element's content into sections: headings, lists and tables kept as readable text. */
export function renderHtml($: cheerio.CheerioAPI, root: cheerio.Cheerio<AnyNode>, builder: SectionBuilder): void {
  let line = '';
  const flush = () => {
    builder.line(line);
    line = '';
  };
  const inlineText = (node: AnyNode): string => collapse($(node).text());

  const walk = (node: AnyNode, listDepth: number): void => {
    if (node.type === 'text') {
      line += (node as unknown as { data: string }).data;
      return;
    }
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') return;
    const element = node as Element;
    const name = element.name.toLowerCase();
    if (skipped.has(name) || isHidden(element)) return;
    const heading = /^h([1-6])$/.exec(name);
    if (heading) {
      flush();
      builder.heading(Number(heading[1]), inlineText(element));
      return;
    }
    if (name === 'ul' || name === 'ol') {
      flush();
      let number = 1;
      for (const item of element.children) {
        if (item.type !== 'tag' || (item as Element).name.toLowerCase() !== 'li') continue;
        const marker = name === 'ol' ? `${number++}.` : '-';
        line = `${'  '.repeat(listDepth)}${marker} `;
        for (const child of (item as Element).children) walk(child, listDepth + 1);
        flush();
      }
      return;
    }
    if (name === 'table') {
      flush();
      renderTable($, element, builder);
      return;
    }
    if (name === 'pre') {
      flush();
      for (const codeLine of $(element).text().split('\n')) builder.line(codeLine);
      return;
    }
    if (name === 'img') {
      const alt = $(element).attr('alt');
      if (alt) line += ` ${alt} `;
      return;
    }
    const isBlock = blocks.has(name);
    if (isBlock) flush();
    for (const child of element.children) walk(child, listDepth);
    if (isBlock) flush();
    else if (name === 'td' || name === 'th') line += ' ';
  };

  for (const node of root.toArray()) walk(node, 0);
  flush();
}

function renderTable($: cheerio.CheerioAPI, table: Element, builder: SectionBuilder): void {
  const rows = $(table).find('tr').toArray().filter((row) => $(row).closest('table').get(0) === table);
  let headers: string[] = [];
  for (const row of rows) {
    const cells = $(row).children('th, td').toArray();
    const texts = cells.map((cell) => $(cell).text());
    if (headers.length === 0 && cells.length > 0 && cells.every((cell) => cell.name === 'th')) {
      headers = texts.map(collapse);
      continue;
    }
    builder.line(tableRow(headers, texts));
  }
}

export function parseHtml(bytes: Buffer): ParsedDocument {
  const $ = cheerio.load(decodeText(bytes));
  const builder = new SectionBuilder();
  const main = $('main, article, [role=main]').first();
  renderHtml($, main.length > 0 ? main : $('body'), builder);
  const sections = builder.build();
  const title = collapse($('title').first().text()) || builder.firstHeading;
  return { title: title || null, sections };
}
