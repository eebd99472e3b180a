// Confluence storage format (the XHTML with ac:/ri: elements that Confluence stores) rendered as
// readable text: macros become what a reader of the page sees.
import { decodeHTML } from 'entities';
import type { Element } from 'domhandler';
import { escapeHtml } from '../../escape-html.js';
import { ConfluenceHeadingIds } from './heading-anchors.js';
import { renderHtml } from './html-parser.js';
import { loadXml } from './markup.js';
import { collapse, SectionBuilder } from './parsed-document.js';

const panelLabels: Record<string, string> = { info: 'Info:', note: 'Note:', warning: 'Warning:', tip: 'Tip:', panel: '' };

/**
 * With the page's title, each heading's section is located at the id Confluence renders on it
 * (see ConfluenceHeadingIds), so that a link to viewpage.action?pageId=… opens there.
 */
export function renderStorageFormat(storage: string, builder: SectionBuilder, pageTitle?: string): void {
  // Parsed as XML so that self-closing macros (<ac:structured-macro ac:name="toc"/>) stay empty.
  // XML knows five named entities: others (&nbsp;) become characters first; CDATA becomes text,
  // and a DOCTYPE with an internal subset is dropped (no DTD is ever loaded).
  const xml = storage
    .replace(/<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>/i, '')
    .replace(/<\?xml[^>]*\?>/, '')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, text: string) => escapeHtml(text))
    .replace(/&([a-zA-Z][a-zA-Z0-9]*);/g, (entity, name: string) => (/^(amp|lt|gt|quot|apos)$/.test(name) ? entity : escapeHtml(decodeHTML(entity))));
  const $ = loadXml(`<body>${xml}</body>`);
  const parameter = (macro: Element, name: string) => collapse($(macro).children(`ac\\:parameter[ac\\:name="${name}"]`).first().text());

  // Innermost macros first, so that an outer macro sees its content already rendered.
  for (const macro of $('ac\\:structured-macro, ac\\:macro').toArray().reverse()) {
    const name = $(macro).attr('ac:name') ?? '';
    const body = $(macro).children('ac\\:rich-text-body').html() ?? '';
    const plain = $(macro).children('ac\\:plain-text-body').text();
    let replacement = '';
    if (name === 'code' || name === 'noformat') {
      const title = parameter(macro, 'title');
      replacement = `${title ? `<p>${escapeHtml(title)}</p>` : ''}<pre>${escapeHtml(plain)}</pre>`;
    } else if (name in panelLabels) {
      const title = parameter(macro, 'title');
      const label = [panelLabels[name], title].filter(Boolean).join(' ');
      replacement = `<div>${label ? `<p>${escapeHtml(label)}</p>` : ''}${body}</div>`;
    } else if (name === 'expand') {
      replacement = `<div><p>${escapeHtml(parameter(macro, 'title') || 'Details')}</p>${body}</div>`;
    } else if (body) {
      replacement = `<div>${body}</div>`; // other macros with a body (section, column, excerpt…) show it
    } else {
      // Text right inside a macro is what the nesting cap left of a body nested too deep.
      const loose = collapse($(macro).contents().toArray().filter((node) => node.type === 'text').map((node) => $(node).text()).join(' '));
      if (loose) replacement = `<p>${escapeHtml(loose)}</p>`;
    }
    $(macro).replaceWith(replacement);
  }
  for (const link of $('ac\\:link').toArray()) {
    const text =
      collapse($(link).find('ac\\:link-body, ac\\:plain-text-link-body').text()) ||
      $(link).find('ri\\:page').attr('ri:content-title') ||
      $(link).find('ri\\:attachment').attr('ri:filename') ||
      '';
    $(link).replaceWith(escapeHtml(text));
  }
  $('ac\\:image, ac\\:emoticon, ac\\:placeholder, ac\\:parameter').remove();
  for (const element of $('ac\\:layout, ac\\:layout-section, ac\\:layout-cell, ac\\:task-list').toArray()) element.name = 'div';
  for (const task of $('ac\\:task').toArray()) {
    $(task).replaceWith(`<ul><li>${$(task).children('ac\\:task-body').html() ?? ''}</li></ul>`);
  }
  const ids = pageTitle !== undefined ? new ConfluenceHeadingIds(pageTitle) : null;
  renderHtml($, $('body'), builder, ids ? (_, text) => ids.id(text) : undefined);
}
