// A Confluence export, unpacked or .zip. An "HTML space export" has one <Title>_<pageId>.html (or
// <pageId>.html) per page with breadcrumbs, page metadata and the rendered body, plus the page's
// attachments under attachments/<pageId>/<attachmentId>.<ext>. An XML export has entities.xml
// (see confluence-xml-export.ts) and attachments under attachments/<pageId>/<attachmentId>/<version>.
import path from 'node:path';
import * as cheerio from 'cheerio';
import type { SourceSpec } from '../../config.js';
import { SourceUnavailableError } from '../../errors.js';
import { renderStorageFormat } from '../parsers/confluence-storage.js';
import { renderHtml } from '../parsers/html-parser.js';
import { collapse, decodeText, SectionBuilder, type ParsedDocument } from '../parsers/parsed-document.js';
import { parserFor } from '../parsers/parsers.js';
import type { SourceItem, SourceListing } from './document-source.js';
import { ExportSource, type ExportFile, type ExportTree, type ZipLimits } from './export-tree.js';
import { readXmlExport, type XmlExportPage } from './confluence-xml-export.js';
import { parseLocalizedDate } from './localized-date.js';

const pageFile = /(?:^|\/)(?:[^/]*_)?(\d+)\.html$/;
const attachmentFile = /(?:^|\/)attachments\/(\d+)\/(\d+)(\.[^./]+)$/;

export interface ConfluenceOptions {
  /** e.g. https://wiki.example.com; page urls become <base>/pages/viewpage.action?pageId=<id>. */
  baseUrl: string | null;
  zipLimits?: ZipLimits;
}

interface PageMetadata {
  title: string;
  breadcrumbs: string[];
  author: string | null;
  updatedAt: Date | null;
}

function pageUrl(baseUrl: string | null, pageId: string): string | null {
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
  return { title: title || fullTitle, breadcrumbs, author, updatedAt: parseLocalizedDate(collapse(metadata.text())) };
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
  const $ = cheerio.load(decodeText(bytes));
  const metadata = readMetadata($);
  labelPanels($);
  const builder = new SectionBuilder();
  const body = $('#main-content');
  if (body.length === 0) throw new Error('it is not a Confluence export page (no #main-content)');
  renderHtml($, body, builder);
  return {
    title: metadata.title,
    sections: builder.build(),
    path: [...metadata.breadcrumbs, metadata.title].join(' / '),
    url: pageUrl(baseUrl, pageId),
    updatedAt: metadata.updatedAt,
    author: metadata.author,
  };
}

export class ConfluenceSource extends ExportSource {
  constructor(
    spec: SourceSpec,
    private readonly options: ConfluenceOptions,
  ) {
    super(spec, options.zipLimits);
  }

  protected async listTree({ files, problems }: ExportTree): Promise<SourceListing> {
    const entities = files.find((file) => path.posix.basename(file.path) === 'entities.xml');
    if (entities) return { ...(await xmlExportItems(entities, files, this.options.baseUrl)), problems };
    const pages = new Map<string, ExportFile>();
    for (const file of files) {
      const match = pageFile.exec(file.path);
      if (match && !file.path.includes('/attachments/') && !file.path.startsWith('attachments/')) pages.set(match[1]!, file);
    }
    if (pages.size === 0) {
      throw new SourceUnavailableError(`${this.spec.location} holds no Confluence pages (<title>_<pageId>.html files)`);
    }
    const baseUrl = this.options.baseUrl;
    const items: SourceItem[] = [...pages].map(([pageId, file]) => ({
      key: `page:${pageId}`,
      path: file.path,
      size: file.size,
      modifiedAt: null,
      url: pageUrl(baseUrl, pageId),
      fingerprint: file.fingerprint,
      read: file.read,
      parse: (bytes) => parseConfluencePage(bytes, pageId, baseUrl),
    }));
    const unsupported: string[] = [];
    // A page lists several attachments: read and parse it once for all of them.
    const listings = new Map<string, Promise<{ metadata: PageMetadata; names: Map<string, string> }>>();
    const listingOf = (pageId: string, page: ExportFile) => {
      let listing = listings.get(pageId);
      if (!listing) {
        listing = page.read().then((bytes) => {
          const $ = cheerio.load(decodeText(bytes));
          const names = new Map<string, string>();
          for (const a of $(`a[href*="attachments/${pageId}/"]`).toArray()) names.set(path.posix.basename($(a).attr('href') ?? ''), collapse($(a).text()));
          return { metadata: readMetadata($), names };
        });
        listings.set(pageId, listing);
      }
      return listing;
    };
    for (const file of files) {
      const match = attachmentFile.exec(file.path);
      if (!match) continue; // export furniture: styles, icons, index.html
      const parse = parserFor(file.path);
      if (!parse) {
        unsupported.push(file.path);
        continue;
      }
      const [, pageId, attachmentId] = match as unknown as [string, string, string];
      const page = pages.get(pageId);
      items.push({
        key: `attachment:${attachmentId}`,
        path: file.path,
        size: file.size,
        modifiedAt: null,
        url: pageUrl(baseUrl, pageId),
        // Its title and path come from its page: the page's content is part of its fingerprint.
        fingerprint: file.fingerprint && page?.fingerprint ? `${file.fingerprint}|${page.fingerprint}` : null,
        read: file.read,
        // An attachment is a document of its own, named and placed by the page that lists it.
        parse: async (bytes) => {
          const parsed = await parse(bytes);
          if (!page) return parsed;
          const { metadata, names } = await listingOf(pageId, page);
          const fileName = names.get(path.posix.basename(file.path)) || path.posix.basename(file.path);
          return {
            ...parsed,
            title: `${fileName} (attachment of ${metadata.title})`,
            path: [...metadata.breadcrumbs, metadata.title, fileName].join(' / '),
            updatedAt: metadata.updatedAt,
            author: metadata.author,
          };
        },
      });
    }
    return { items, problems, unsupported };
  }
}

/** Pages and attachments of an XML export; each page's bytes are its own record, so its hash is its own. */
async function xmlExportItems(entities: ExportFile, files: ExportFile[], baseUrl: string | null): Promise<{ items: SourceItem[]; unsupported: string[] }> {
  let exported: ReturnType<typeof readXmlExport>;
  try {
    exported = readXmlExport(decodeText(await entities.read()));
  } catch (error) {
    throw new SourceUnavailableError(`${entities.path} is not a readable Confluence XML export: ${(error as Error).message}`, error);
  }
  const pagesById = new Map(exported.pages.map((page) => [page.id, page]));
  const pathOf = (page: XmlExportPage) => [page.spaceName, ...page.ancestors, page.title].filter(Boolean).join(' / ');
  const items: SourceItem[] = exported.pages.map((page) => {
    const record = Buffer.from(JSON.stringify(page));
    return {
      key: `page:${page.id}`,
      path: pathOf(page),
      size: record.length,
      modifiedAt: page.lastModified,
      url: pageUrl(baseUrl, page.id),
      read: async () => record,
      parse: (bytes: Buffer): ParsedDocument => {
        const stored = JSON.parse(bytes.toString('utf8')) as XmlExportPage;
        const builder = new SectionBuilder();
        renderStorageFormat(stored.body, builder);
        return { title: stored.title, sections: builder.build(), author: stored.author, labels: stored.labels, status: stored.status };
      },
    };
  });
  const byPath = new Map(files.map((file) => [file.path, file]));
  const root = path.posix.dirname(entities.path);
  const unsupported: string[] = [];
  for (const attachment of exported.attachments) {
    const page = pagesById.get(attachment.pageId);
    const file = byPath.get(path.posix.join(root, 'attachments', attachment.pageId, attachment.id, String(attachment.version)));
    if (!page || !file) continue;
    const parse = parserFor(attachment.fileName);
    if (!parse) {
      unsupported.push(`${pathOf(page)} / ${attachment.fileName}`);
      continue;
    }
    items.push({
      key: `attachment:${attachment.id}`,
      path: `${pathOf(page)} / ${attachment.fileName}`,
      size: file.size,
      modifiedAt: attachment.lastModified,
      url: pageUrl(baseUrl, page.id),
      fingerprint: file.fingerprint && `${file.fingerprint}|${pathOf(page)}`,
      read: file.read,
      // An attachment is as current as the page it belongs to.
      parse: async (bytes) => ({ ...(await parse(bytes)), title: `${attachment.fileName} (attachment of ${page.title})`, labels: page.labels, status: page.status }),
    });
  }
  return { items, unsupported };
}
