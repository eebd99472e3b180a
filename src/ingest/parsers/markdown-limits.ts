// Markdown within what marked parses in linear time. marked re-reads a list item's content once
// per level of nesting (2,000 nested items, 3.9 MB, take minutes and gigabytes) and matches
// emphasis in time that grows with the square of a paragraph's delimiters; both recurse, and
// overflow the stack past a few thousand levels. So before lexing, each line's container prefix
// (indentation, ">" quotes, list markers) is capped, which flattens deeper lists and quotes into
// the deepest allowed level; and inline text with many delimiters is reduced to its words here,
// in one pass, instead of by marked.

/** Columns of indentation kept in front of a line (deeper lists line up there), and container markers. */
export const maxPrefixColumns = 32;
export const maxContainerMarkers = 8;
/** Emphasis, strike-through, code and link delimiters above which inline text is not given to marked. */
export const maxInlineDelimiters = 64;

const tabWidth = 4;

function isListMarkerAt(line: string, at: number): number {
  // The length of a list marker ("-", "+", "*", "12." or "3)") at `at`, followed by a space, a tab or the end; 0 if none.
  const code = line.charCodeAt(at);
  let end = at;
  if (code === 45 || code === 43 || code === 42) end = at + 1;
  else {
    while (end < line.length && end - at < 9 && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
    if (end === at || (line.charCodeAt(end) !== 46 && line.charCodeAt(end) !== 41)) return 0;
    end++;
  }
  const next = line.charCodeAt(end);
  return end === line.length || next === 32 || next === 9 ? end - at : 0;
}

/** One line with its container prefix capped; the same string when it is within the caps. */
function capLine(line: string): string {
  let at = 0;
  let column = 0;
  let markers = 0;
  let over = false;
  const prefix: string[] = [];
  let kept = 0; // columns written to `prefix`
  while (at < line.length) {
    const code = line.charCodeAt(at);
    if (code === 32 || code === 9) {
      const width = code === 9 ? tabWidth - (column % tabWidth) : 1;
      column += width;
      at++;
      // Whitespace past the column budget is dropped, but a marker keeps the one space it needs.
      if (kept + width <= maxPrefixColumns) {
        prefix.push(' '.repeat(width));
        kept += width;
      } else {
        over = true;
        if (prefix.length > 0 && prefix.at(-1) !== ' ' && !prefix.at(-1)!.endsWith(' ')) {
          prefix.push(' ');
          kept++;
        }
      }
      continue;
    }
    const markerLength = code === 62 ? 1 : isListMarkerAt(line, at);
    if (markerLength === 0) break;
    markers++;
    if (markers > maxContainerMarkers) over = true;
    else {
      prefix.push(line.slice(at, at + markerLength));
      kept += markerLength;
    }
    column += markerLength;
    at += markerLength;
  }
  if (!over) return line;
  const rest = line.slice(at);
  const head = prefix.join('');
  // The content needs a space after the last marker kept.
  return rest === '' || head === '' || head.endsWith(' ') ? head + rest : `${head} ${rest}`;
}

/** Markdown with list and quote nesting capped, line by line; the same string when nothing is that deep. */
export function capMarkdownNesting(source: string): string {
  let changed = false;
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const first = line.charCodeAt(0);
    // Most lines start with a letter: nothing to look at.
    if (!(first === 32 || first === 9 || first === 62 || first === 45 || first === 43 || first === 42 || (first >= 48 && first <= 57))) continue;
    const capped = capLine(line);
    if (capped !== line) {
      lines[i] = capped;
      changed = true;
    }
  }
  return changed ? lines.join('\n') : source;
}

/** Whether marked would take too long on this inline text (many delimiters). */
export function hasManyDelimiters(text: string): boolean {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // * _ ~ ` [
    if ((code === 42 || code === 95 || code === 126 || code === 96 || code === 91) && ++count > maxInlineDelimiters) return true;
  }
  return false;
}

/** indexOf's -1 as a position never reached. */
const orNever = (found: number) => (found < 0 ? Infinity : found);

const isWordCode = (code: number) => (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127;

/**
 * The words of inline Markdown in one linear pass: emphasis, strike-through and code marks, link
 * brackets and link targets, and HTML tags are dropped; backslash escapes are resolved.
 */
export function plainInline(text: string): string {
  let out = '';
  // The next ')' and line break at or after the current position, looked up again only once passed.
  let nextParen = -1;
  let nextNewline = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 42 || code === 126 || code === 96 || code === 91) continue; // * ~ ` [
    if (code === 95 && !(isWordCode(text.charCodeAt(i - 1)) && isWordCode(text.charCodeAt(i + 1)))) continue; // _ not inside a word
    if (code === 92 && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1]!)) {
      out += text[++i];
      continue;
    }
    if (code === 33 && text.charCodeAt(i + 1) === 91) continue; // the "!" of an image
    if (code === 93) {
      // "](target)" drops the target when it closes on this line, within 2,000 characters.
      if (text.charCodeAt(i + 1) === 40) {
        if (nextParen < i) nextParen = orNever(text.indexOf(')', i));
        if (nextNewline < i) nextNewline = orNever(text.indexOf('\n', i));
        if (nextParen - i < 2000 && nextNewline > nextParen) i = nextParen;
      }
      continue;
    }
    if (code === 60) {
      // A tag: "<" and a letter or "/", up to the next ">" with no "<" before it.
      const after = text.charCodeAt(i + 1);
      if ((after >= 65 && after <= 90) || (after >= 97 && after <= 122) || after === 47) {
        let end = i + 1;
        while (end < text.length && end - i < 1000 && text.charCodeAt(end) !== 62 && text.charCodeAt(end) !== 60) end++;
        if (text.charCodeAt(end) === 62) {
          out += ' ';
          i = end;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}
