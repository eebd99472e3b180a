// Markdown (what models write) to Slack's mrkdwn: *bold*, _italic_, ~strike~, <url|links>,
// bullet and numbered lists, code, quotes; &, < and > escaped as Slack requires.
import { Lexer, type Token, type Tokens } from 'marked';
import { safeUrl } from '../../safe-url.js';

/** Text as mrkdwn shows it literally: &, < and > escaped. */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// marked hands text back with HTML entities; Slack wants the characters, escaped its own way.
const decode = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!);

/** An http(s) URL as the target of a Slack link (escaped, and with no "|" to end it early); null for any other. */
export function slackLinkTarget(url: string | null | undefined): string | null {
  return safeUrl(url)?.replace(/\|/g, '%7C').replace(/&/g, '&amp;') ?? null;
}

function inline(tokens: Token[] = []): string {
  return tokens
    .map((token) => {
      switch (token.type) {
        case 'strong':
          return `*${inline((token as Tokens.Strong).tokens)}*`;
        case 'em':
          return `_${inline((token as Tokens.Em).tokens)}_`;
        case 'del':
          return `~${inline((token as Tokens.Del).tokens)}~`;
        case 'codespan':
          return `\`${decode((token as Tokens.Codespan).text)}\``;
        case 'link': {
          const link = token as Tokens.Link;
          const text = inline(link.tokens);
          const href = slackLinkTarget(link.href);
          if (!href) return text; // not http(s): its text, without the link
          return text === escapeMrkdwn(link.href) ? `<${href}>` : `<${href}|${text.replace(/[|>]/g, ' ')}>`;
        }
        case 'image': {
          const image = token as Tokens.Image;
          const href = slackLinkTarget(image.href);
          return href ? `<${href}|${escapeMrkdwn(image.text)}>` : escapeMrkdwn(image.text);
        }
        case 'br':
          return '\n';
        case 'text': {
          const text = token as Tokens.Text;
          return text.tokens ? inline(text.tokens) : escapeMrkdwn(decode(text.text));
        }
        default:
          return escapeMrkdwn(decode((token as { raw?: string }).raw ?? ''));
      }
    })
    .join('');
}

function blocks(tokens: Token[]): string[] {
  return tokens.flatMap((token): string[] => {
    switch (token.type) {
      case 'paragraph':
        return [inline((token as Tokens.Paragraph).tokens)];
      case 'heading':
        return [`*${inline((token as Tokens.Heading).tokens)}*`];
      case 'code':
        return [`\`\`\`\n${(token as Tokens.Code).text}\n\`\`\``];
      case 'blockquote':
        return [blocks((token as Tokens.Blockquote).tokens).join('\n').replace(/^/gm, '> ')];
      case 'list': {
        const list = token as Tokens.List;
        const start = typeof list.start === 'number' ? list.start : 1;
        return [
          list.items
            .map((item, i) => `${list.ordered ? `${start + i}.` : '•'} ${blocks(item.tokens).join('\n').replace(/\n/g, '\n   ')}`)
            .join('\n'),
        ];
      }
      case 'table': {
        const table = token as Tokens.Table;
        return table.rows.map((row) => row.map((cell, i) => `${inline(table.header[i]?.tokens)}: ${inline(cell.tokens)}`).join('; '));
      }
      case 'hr':
        return ['───'];
      case 'space':
        return [];
      case 'text':
        return [inline((token as Tokens.Text).tokens ?? [token])];
      default:
        return [escapeMrkdwn(decode((token as { raw?: string }).raw ?? ''))];
    }
  });
}

export function markdownToMrkdwn(markdown: string): string {
  return blocks(new Lexer().lex(markdown)).join('\n\n').trim();
}
