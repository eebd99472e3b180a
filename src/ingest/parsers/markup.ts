// HTML and XML are loaded with their nesting capped. The parsers behind cheerio (parse5 for HTML,
// htmlparser2 for XML) slow down with the square of the depth — 100,000 nested <div>s take
// minutes — and recursive walks over a deep tree overflow the stack. So before parsing, one
// linear scan finds elements nested deeper than maxMarkupDepth and flattens them into their
// ancestor: their tags are dropped (a block's tags become a line break), their text is kept, and
// what a reader could not see in them (hidden elements, scripts) is dropped with them. A
// document within the cap is parsed exactly as written.
import * as cheerio from 'cheerio';
import { hiddenByAttributes, unseenElements } from './unseen-markup.js';

export const maxMarkupDepth = 100;

const voidElements = new Set(['area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input', 'isindex', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
// HTML elements whose content is text up to their end tag.
const rawTextElements = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);
// Opening one of these closes an open element of the listed kinds (as htmlparser2 and browsers do).
const paragraph = new Set(['p']);
const impliedCloses = new Map<string, ReadonlySet<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['li', new Set(['li'])],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['dd', new Set(['dd', 'dt'])],
  ['dt', new Set(['dd', 'dt'])],
  ['tbody', new Set(['thead', 'tbody'])],
  ['tfoot', new Set(['thead', 'tbody'])],
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul'].map(
    (name) => [name, paragraph] as const,
  ),
]);
// A flattened element of these kinds still ends a line.
const lineBreaking = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'blockquote', 'dd', 'dt', 'dl', 'figure', 'figcaption', 'address',
  'details', 'summary', 'hr', 'br', 'tr', 'caption', 'li', 'ul', 'ol', 'table', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
]);

interface MarkupEvents {
  /** `attributesFrom`: where readAttributes() finds the tag's attributes, if they are needed. */
  openTag(name: string, start: number, end: number, attributesFrom: number, selfClosing: boolean): void;
  closeTag(name: string, start: number, end: number): void;
  text(start: number, end: number): void;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12;
}

/**
 * Where the start tag whose attributes begin at `from` ends (a '>' inside a quoted value does not
 * end it), filling `record` with its attributes when given one.
 */
function scanAttributes(source: string, from: number, xml: boolean, record: Record<string, string> | null): number {
  const length = source.length;
  let position = from;
  while (position < length) {
    const code = source.charCodeAt(position);
    if (code === 62) return position + 1;
    if (code === 47 && source.charCodeAt(position + 1) === 62) return position + 2;
    if (isSpace(code) || code === 47) {
      position++;
      continue;
    }
    const attributeStart = position;
    while (position < length) {
      const c = source.charCodeAt(position);
      if (isSpace(c) || c === 61 || c === 62 || c === 47) break;
      position++;
    }
    position = Math.max(position, attributeStart + 1);
    const attributeName = record ? source.slice(attributeStart, position) : '';
    let value = '';
    let probe = position;
    while (probe < length && isSpace(source.charCodeAt(probe))) probe++;
    if (source.charCodeAt(probe) === 61) {
      probe++;
      while (probe < length && isSpace(source.charCodeAt(probe))) probe++;
      const quote = source.charCodeAt(probe);
      if (quote === 34 || quote === 39) {
        const close = source.indexOf(quote === 34 ? '"' : "'", probe + 1);
        const valueEnd = close < 0 ? length : close;
        if (record) value = source.slice(probe + 1, valueEnd);
        position = close < 0 ? length : close + 1;
      } else {
        const valueStart = probe;
        while (probe < length && !isSpace(source.charCodeAt(probe)) && source.charCodeAt(probe) !== 62) probe++;
        if (record) value = source.slice(valueStart, probe);
        position = probe;
      }
    }
    if (record) record[xml ? attributeName : attributeName.toLowerCase()] = value;
  }
  return length;
}

/** The attributes of the start tag whose attributes begin at `from`. */
function readAttributes(source: string, from: number, xml: boolean): Record<string, string> {
  const record: Record<string, string> = {};
  scanAttributes(source, from, xml, record);
  return record;
}

const endTagSearch = new Map<string, RegExp>();

/**
 * One pass over the markup, each character looked at a bounded number of times: tags (with their
 * attributes, read only when asked for), text, and comments, CDATA and declarations (as text
 * ranges that are not text: they are skipped).
 */
function scanMarkup(source: string, xml: boolean, events: MarkupEvents): void {
  const length = source.length;
  const isNameStart = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (xml && (code === 95 || code === 58 || code > 127));
  const nameEnd = (from: number) => {
    let at = from;
    while (at < length) {
      const code = source.charCodeAt(at);
      if (isSpace(code) || code === 47 || code === 62) break; // '/', '>'
      at++;
    }
    return at;
  };
  let at = 0;
  while (at < length) {
    const lt = source.indexOf('<', at);
    if (lt < 0) {
      events.text(at, length);
      return;
    }
    if (lt > at) events.text(at, lt);
    const next = source.charCodeAt(lt + 1);
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4);
      at = end < 0 ? length : end + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = source.indexOf(']]>', lt + 9);
      events.text(lt, end < 0 ? length : end + 3); // kept as it is; dropped only where unseen
      at = end < 0 ? length : end + 3;
    } else if (next === 33 || next === 63) {
      // <!DOCTYPE …>, <?xml …?>
      const end = source.indexOf('>', lt + 2);
      at = end < 0 ? length : end + 1;
    } else if (next === 47 && isNameStart(source.charCodeAt(lt + 2))) {
      const nameStop = nameEnd(lt + 2);
      const end = source.indexOf('>', nameStop);
      const stop = end < 0 ? length : end + 1;
      const name = source.slice(lt + 2, nameStop);
      events.closeTag(xml ? name : name.toLowerCase(), lt, stop);
      at = stop;
    } else if (isNameStart(next)) {
      const nameStop = nameEnd(lt + 1);
      const rawName = source.slice(lt + 1, nameStop);
      const name = xml ? rawName : rawName.toLowerCase();
      const stop = scanAttributes(source, nameStop, xml, null);
      const selfClosing = source.charCodeAt(stop - 2) === 47 && source.charCodeAt(stop - 1) === 62 && stop - 2 >= nameStop;
      events.openTag(name, lt, stop, nameStop, selfClosing);
      at = stop;
      if (!xml && !selfClosing && rawTextElements.has(name)) {
        let search = endTagSearch.get(name);
        if (!search) endTagSearch.set(name, (search = new RegExp(`</${name}[\\s/>]`, 'ig')));
        search.lastIndex = at;
        const end = search.exec(source);
        const textEnd = end ? end.index : length;
        if (textEnd > at) events.text(at, textEnd);
        at = textEnd;
      }
    } else {
      events.text(lt, lt + 1); // a '<' that starts no tag is text
      at = lt + 1;
    }
  }
}

/**
 * The markup with elements deeper than maxDepth flattened into their ancestor; the very same
 * string when nothing is that deep.
 */
export function capNesting(source: string, mode: 'html' | 'xml', maxDepth = maxMarkupDepth): string {
  const xml = mode === 'xml';
  const kept: string[] = []; // open elements within the cap, outermost first
  const flattened: string[] = []; // open elements below it, whose tags are dropped
  let unseenFrom = -1; // index in `flattened` of the outermost unseen one, -1 when none
  const edits: Array<[number, number, string]> = [];
  // Only text is left where tags were: markup there could land in a table, where parse5 moves
  // it out one node at a time (in time growing with the square of the nodes).
  // Inline elements add nothing (as when rendered), cells a space, blocks a line break.
  const replacement = (name: string) => {
    const local = name.slice(name.indexOf(':') + 1).toLowerCase();
    return unseenFrom >= 0 ? '' : lineBreaking.has(local) ? '\n' : local === 'td' || local === 'th' ? ' ' : '';
  };
  const popTo = (stack: string[], length: number) => {
    stack.length = length;
    if (stack === flattened && unseenFrom >= length) unseenFrom = -1;
  };

  scanMarkup(source, xml, {
    openTag(name, start, end, attributesFrom, selfClosing) {
      const innermost = flattened.length > 0 ? flattened : kept;
      const closes = xml ? undefined : impliedCloses.get(name);
      if (closes) while (innermost.length > 0 && closes.has(innermost.at(-1)!)) popTo(innermost, innermost.length - 1);
      const empty = xml ? selfClosing : voidElements.has(name);
      if (flattened.length === 0 && (empty || kept.length < maxDepth)) {
        if (!empty) kept.push(name);
        return;
      }
      const unseen = unseenFrom < 0 && (unseenElements.has(name) || hiddenByAttributes(readAttributes(source, attributesFrom, xml)));
      edits.push([start, end, unseen ? '' : replacement(name)]);
      if (empty) return;
      if (unseen) unseenFrom = flattened.length;
      flattened.push(name);
    },
    closeTag(name, start, end) {
      if (flattened.length > 0) {
        // Its own open tag is one of the innermost few, or it closes a kept element (and every
        // flattened one with it), or it closes nothing and is dropped.
        for (let at = flattened.length - 1; at >= Math.max(0, flattened.length - 8); at--) {
          if (flattened[at] !== name) continue;
          edits.push([start, end, replacement(name)]);
          popTo(flattened, at);
          return;
        }
        const keptAt = kept.lastIndexOf(name);
        if (keptAt < 0) {
          edits.push([start, end, '']);
          return;
        }
        popTo(flattened, 0);
        popTo(kept, keptAt);
        return;
      }
      const keptAt = kept.lastIndexOf(name);
      if (keptAt >= 0) popTo(kept, keptAt);
    },
    text(start, end) {
      if (unseenFrom >= 0) edits.push([start, end, '']);
    },
  });

  if (edits.length === 0) return source;
  const parts: string[] = [];
  let at = 0;
  for (const [start, end, text] of edits) {
    parts.push(source.slice(at, start), text);
    at = end;
  }
  parts.push(source.slice(at));
  return parts.join('');
}

/** An HTML document or fragment, parsed with its nesting capped. */
export function loadHtml(html: string): cheerio.CheerioAPI {
  return cheerio.load(capNesting(html, 'html'));
}

/** An XML document (Office parts, Confluence storage format, PnP templates), parsed with its nesting capped. */
export function loadXml(xml: string): cheerio.CheerioAPI {
  return cheerio.load(capNesting(xml, 'xml'), { xml: true });
}
