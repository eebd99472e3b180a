// A page of a Confluence HTML space export: title, breadcrumbs, page metadata and the rendered
// body; and, for the page's attachments, the names the page gives them.
import path from 'node:path';
import type * as cheerio from 'cheerio';
import { DocumentUnreadableError } from '../../errors.js';
import { renderStorageFormat } from './confluence-storage.js';
import type { XmlExportPage } from './confluence-xml-export.js';
import { headingIdOf, renderHtml } from './html-parser.js';
import { loadHtml } from './markup.js';
import { collapse, decodeText, SectionBuilder, type ParsedDocument } from './parsed-document.js';
import { parseLocalizedDate } from './localized-date.js';

export interface PageMetadata {
  title: string;
  breadcrumbs: string[];
  author: string | null;
  updatedAt: Date | null;
  /** The page's labels, when the export shows them. */
  labels: string[];
}

export function pageUrl(baseUrl: string | null, pageId: string): string | null {
  return baseUrl ? `${baseUrl.replace(/\/+$/, '')}/pages/viewpage.action?pageId=${pageId}` : null;
}

function readMetadata($: cheerio.CheerioAPI): PageMetadata {
  const breadcrumbs = $('#breadcrumbs li a')
    .toArray()
    .map((a) => collapse($(a).text()))
    .filter((text) => text !== '');
  const space = breadcrumbs[0] ?? '';
  const fullTitle = collapse($('#title-text').first().text()) || collapse($('title').first().text());
  // "Space : Title" — the space name is known from the first breadcrumb.
  const title = space && fullTitle.startsWith(`${space} : `) ? fullTitle.slice(space.length + 3) : fullTitle.replace(/^[^:]*? : /, '');
  const metadata = $('.page-metadata').first();
  const author = collapse(metadata.find('.editor').first().text()) || collapse(metadata.find('.author').first().text()) || null;
  return { title: title || fullTitle, breadcrumbs, author, updatedAt: parseLocalizedDate(collapse(metadata.text())), labels: readLabels($) };
}

/**
 * The labels listed below a page, as Confluence renders them: `<div id="labels-section">` holding
 * `<ul class="label-list">` of `<a class="aui-label-split-main" rel="tag">` links (older themes:
 * `<div class="labels">` of `<a class="label">`). Space exports of Confluence Server/Data Center
 * usually leave them out; pages saved from the browser keep them. Links inside the body (a
 * "content by label" macro) are not the page's labels.
 */
function readLabels($: cheerio.CheerioAPI): string[] {
  const links = $('#labels-section .aui-label a, ul.label-list li a, div.labels a.label, a[rel="tag"]')
    .toArray()
    .filter((a) => $(a).closest('#main-content').length === 0);
  // Confluence labels hold no spaces and no colon (its namespace separator), so no page label
  // reads like an access label ("confluence-user:…").
  return [...new Set(links.map((a) => collapse($(a).text())).filter((label) => label !== '' && !/[\s:]/.test(label)))];
}

/** Confluence panels keep their kind as a word the reader sees. */
function labelPanels($: cheerio.CheerioAPI): void {
  for (const [kind, label] of [['warning', 'Warning:'], ['note', 'Note:'], ['information', 'Info:'], ['tip', 'Tip:']] as const) {
    $(`.confluence-information-macro-${kind}`).each((_, panel) => {
      $(panel).prepend(`<p>${label}</p>`);
    });
  }
  $('.expand-control-text').each((_, control) => {
    $(control).replaceWith(`<p>${$(control).text()}</p>`);
  });
}

export function parseConfluencePage(bytes: Buffer, pageId: string, baseUrl: string | null): ParsedDocument {
  const $ = loadHtml(decodeText(bytes));
  const metadata = readMetadata($);
  labelPanels($);
  const builder = new SectionBuilder();
  const body = $('#main-content');
  if (body.length === 0) throw new DocumentUnreadableError('it is not a Confluence export page (no #main-content)');
  // The export renders Confluence's heading ids (`ReleaseProcess-Freezewindows`), the page's own fragments.
  renderHtml($, body, builder, headingIdOf($));
  return {
    title: metadata.title,
    sections: builder.build(),
    path: [...metadata.breadcrumbs, metadata.title].join(' / '),
    url: pageUrl(baseUrl, pageId),
    updatedAt: metadata.updatedAt,
    author: metadata.author,
    labels: metadata.labels,
  };
}

/** What a page tells of its attachments: its own metadata, and each attachment's name by file name. */
export function readAttachmentListing(bytes: Buffer, pageId: string): { metadata: PageMetadata; names: Map<string, string> } {
  const $ = loadHtml(decodeText(bytes));
  const names = new Map<string, string>();
  for (const a of $(`a[href*="attachments/${pageId}/"]`).toArray()) names.set(path.posix.basename($(a).attr('href') ?? ''), collapse($(a).text()));
  return { metadata: readMetadata($), names };
}

/** A page of an XML export, stored as its JSON record (so that its hash is its own). */
export function parseXmlExportPage(bytes: Buffer): ParsedDocument {
  const stored = JSON.parse(bytes.toString('utf8')) as XmlExportPage;
  const builder = new SectionBuilder();
  renderStorageFormat(stored.body, builder, stored.title);
  return { title: stored.title, sections: builder.build(), author: stored.author, labels: xmlPageLabels(stored), status: stored.status };
}

/** A page's own labels and its access labels, as its document (and its attachments) carry them. */
export function xmlPageLabels(page: XmlExportPage): string[] {
  return [...new Set([...page.labels, ...(page.accessLabels ?? [])])];
}
