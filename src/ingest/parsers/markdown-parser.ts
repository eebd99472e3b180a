import matter from 'gray-matter';
import { decodeHTML } from 'entities';
import { Lexer, type Token, type Tokens } from 'marked';
import { HeadingSlugger } from './heading-anchors.js';
import { capMarkdownNesting, hasManyDelimiters, plainInline } from './markdown-limits.js';
import { decodeText, SectionBuilder, tableRow, type ParsedDocument } from './parsed-document.js';

// Site generators leave template tags in Markdown ({% alert %}, {{ page.title }}): keep the
// text between them, drop the tags.
const templateTags = /\{%-?[\s\S]*?-?%\}|\{\{[\s\S]*?\}\}/g;
const htmlComments = /<!--[\s\S]*?-->/g;

function inline(tokens: Token[] | undefined, fallback = ''): string {
  if (!tokens) return decodeHTML(fallback);
  return tokens
    .map((token) => {
      switch (token.type) {
        case 'html':
          return '';
        case 'br':
          return '\n';
        case 'image':
          return (token as Tokens.Image).text;
        case 'codespan':
        case 'escape':
          return decodeHTML((token as Tokens.Codespan).text);
        default:
          return 'tokens' in token && token.tokens ? inline(token.tokens) : decodeHTML((token as Tokens.Text).text ?? '');
      }
    })
    .join('');
}

// `## Heading {#custom-id}` (kramdown, Pandoc, Hugo, MkDocs attribute lists): the id the page gives the heading.
const explicitId = /\s*\{[^}]*?#([^\s}.#]+)[^}]*\}\s*$/;

function renderHeading(heading: Tokens.Heading, builder: SectionBuilder, slugger: HeadingSlugger): void {
  const text = inline(heading.tokens);
  const id = explicitId.exec(text);
  const title = id ? text.slice(0, id.index) : text;
  if (title.trim() === '') return builder.heading(heading.depth, title);
  builder.heading(heading.depth, title, { anchor: id ? slugger.explicit(id[1]!) : slugger.slug(title.trim()) });
}

function renderBlocks(tokens: Token[], builder: SectionBuilder, slugger: HeadingSlugger, depth = 0): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'heading':
        renderHeading(token as Tokens.Heading, builder, slugger);
        break;
      case 'paragraph':
      case 'text':
        // Source line breaks inside a paragraph are soft: the sentence goes on.
        builder.line(inline((token as Tokens.Paragraph).tokens, (token as Tokens.Paragraph).text).replace(/\s*\n\s*/g, ' '));
        break;
      case 'list': {
        const list = token as Tokens.List;
        list.items.forEach((item, i) => {
          const marker = list.ordered ? `${Number(list.start || 1) + i}.` : '-';
          const [first, ...rest] = item.tokens;
          const lead = first && (first.type === 'text' || first.type === 'paragraph') ? inline((first as Tokens.Text).tokens, (first as Tokens.Text).text) : '';
          builder.line(`${'  '.repeat(depth)}${marker} ${lead.replace(/\n/g, ' ')}`);
          renderBlocks(lead === '' ? item.tokens : rest, builder, slugger, depth + 1);
        });
        break;
      }
      case 'table': {
        const table = token as Tokens.Table;
        const headers = table.header.map((cell) => inline(cell.tokens, cell.text));
        for (const row of table.rows) builder.line(tableRow(headers, row.map((cell) => inline(cell.tokens, cell.text))));
        break;
      }
      case 'code':
        for (const line of (token as Tokens.Code).text.split('\n')) builder.line(line);
        break;
      case 'blockquote':
        renderBlocks((token as Tokens.Blockquote).tokens, builder, slugger, depth);
        break;
      case 'html':
        builder.line(decodeHTML((token as Tokens.HTML).text.replace(/<[^>]*>/g, ' ')));
        break;
      default:
        break; // space, hr, def
    }
  }
}

/**
 * marked's lex(), except that inline text with many delimiters is reduced to its words in one pass
 * (marked would take time growing with their square), and nesting is capped first.
 */
function lex(markdown: string): Token[] {
  const lexer = new Lexer({ gfm: true });
  lexer.blockTokens(capMarkdownNesting(markdown.replace(/\r\n?/g, '\n')), lexer.tokens);
  for (const { src, tokens } of lexer.inlineQueue) {
    lexer.state.inRawBlock = false;
    if (hasManyDelimiters(src)) tokens.push({ type: 'text', raw: src, text: plainInline(src), escaped: true } as Tokens.Text);
    else lexer.inlineTokens(src, tokens);
  }
  lexer.inlineQueue = [];
  return lexer.tokens;
}

export function parseMarkdown(bytes: Buffer): ParsedDocument {
  const source = decodeText(bytes);
  let data: Record<string, unknown> = {};
  let content = source;
  try {
    ({ data, content } = matter(source));
  } catch {
    // Malformed front matter: index the whole text rather than nothing.
  }
  const builder = new SectionBuilder();
  renderBlocks(lex(content.replace(htmlComments, '').replace(templateTags, '')), builder, new HeadingSlugger());
  const sections = builder.build();
  // Front matter titles sometimes carry markup ("Logging in &amp; Networks", "<em>new</em>").
  const frontMatterTitle = typeof data.title === 'string' ? decodeHTML(data.title.replace(/<[^>]*>/g, '')).trim() || null : null;
  return { title: frontMatterTitle ?? builder.firstHeading, sections, labels: frontMatterList(data.tags).concat(frontMatterList(data.labels)), status: typeof data.status === 'string' ? data.status : null };
}

/** `tags: [a, b]` or `tags: a, b`: the strings, trimmed. */
function frontMatterList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.filter((item): item is string => typeof item === 'string').map((item) => item.trim()).filter((item) => item !== '');
}
