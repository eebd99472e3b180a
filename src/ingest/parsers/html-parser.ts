import type * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml } from './markup.js';
import { collapse, decodeText, SectionBuilder, tableRow, type ParsedDocument } from './parsed-document.js';
import { hiddenByAttributes, unseenElements } from './unseen-markup.js';

const blocks = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'blockquote', 'dd', 'dt', 'dl',
  'figure', 'figcaption', 'address', 'details', 'summary', 'hr', 'br', 'tr', 'caption', 'body', 'html',
]);

/** The fragment id of a heading element (and its text), when the page gives it one. */
type HeadingAnchor = (heading: Element, text: string) => string | undefined;

/** A heading's own `id`, or that of an `<a name>` or element with an `id` inside it. */
export function headingIdOf($: cheerio.CheerioAPI): HeadingAnchor {
  return (heading) => {
    const own = heading.attribs?.id?.trim();
    if (own) return own;
    const inner = $(heading).find('[id], a[name]').first();
    return (inner.attr('id') ?? inner.attr('name'))?.trim() || undefined;
  };
}

/**
 * Renders an HTML element's content into sections: headings, lists and tables kept as readable
 * text. With `headingAnchor`, each heading's section is located at the heading's fragment id.
 */
export function renderHtml($: cheerio.CheerioAPI, root: cheerio.Cheerio<AnyNode>, builder: SectionBuilder, headingAnchor?: HeadingAnchor): void {
  let line = '';
  const flush = () => {
    builder.line(line);
    line = '';
  };
  const inlineText = (node: AnyNode): string => collapse($(node).text());

  // Depth-first with a stack of its own (steps to take, innermost last): a deep tree cannot
  // overflow the call stack. A step is a node to render or what to do once its children are done.
  type Step = { node: AnyNode; listDepth: number } | (() => void);
  const steps: Step[] = [];
  const children = (nodes: AnyNode[], listDepth: number) => {
    for (let i = nodes.length - 1; i >= 0; i--) steps.push({ node: nodes[i]!, listDepth });
  };
  const visit = (node: AnyNode, listDepth: number): void => {
    if (node.type === 'text') {
      line += (node as unknown as { data: string }).data;
      return;
    }
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') return;
    const element = node as Element;
    const name = element.name.toLowerCase();
    if (unseenElements.has(name) || hiddenByAttributes(element.attribs ?? {})) return;
    const heading = /^h([1-6])$/.exec(name);
    if (heading) {
      flush();
      const text = inlineText(element);
      const anchor = headingAnchor?.(element, text);
      builder.heading(Number(heading[1]), text, anchor ? { anchor } : undefined);
      return;
    }
    if (name === 'ul' || name === 'ol') {
      flush();
      const items = element.children.filter((item): item is Element => item.type === 'tag' && (item as Element).name.toLowerCase() === 'li');
      for (let i = items.length - 1; i >= 0; i--) {
        const marker = name === 'ol' ? `${i + 1}.` : '-';
        steps.push(flush);
        children(items[i]!.children, listDepth + 1);
        steps.push(() => {
          line = `${'  '.repeat(listDepth)}${marker} `;
        });
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
    if (isBlock) {
      flush();
      steps.push(flush);
    } else if (name === 'td' || name === 'th') {
      steps.push(() => {
        line += ' ';
      });
    }
    children(element.children, listDepth);
  };

  children(root.toArray(), 0);
  for (let step = steps.pop(); step; step = steps.pop()) {
    if (typeof step === 'function') step();
    else visit(step.node, step.listDepth);
  }
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
  const $ = loadHtml(decodeText(bytes));
  const builder = new SectionBuilder();
  const main = $('main, article, [role=main]').first();
  renderHtml($, main.length > 0 ? main : $('body'), builder, headingIdOf($));
  const sections = builder.build();
  const title = collapse($('title').first().text()) || builder.firstHeading;
  return { title: title || null, sections };
}
