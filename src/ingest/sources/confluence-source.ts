// A Confluence export, unpacked or .zip. An "HTML space export" has one <Title>_<pageId>.html (or
// <pageId>.html) per page with breadcrumbs, page metadata and the rendered body, plus the page's
// attachments under attachments/<pageId>/<attachmentId>.<ext>. An XML export has entities.xml
// (see parsers/confluence-xml-export.ts) and attachments under attachments/<pageId>/<attachmentId>/<version>.
import path from 'node:path';
import type { SourceSpec } from '../../config.js';
import type { FailedItem } from '../../domain.js';
import { SourceUnavailableError, toGroundworkError } from '../../errors.js';
import { pageUrl, xmlPageLabels, type PageMetadata } from '../parsers/confluence-page.js';
import type { XmlExportAttachment, XmlExportPage } from '../parsers/confluence-xml-export.js';
import { readableFormat } from '../parsers/parsers.js';
import type { SourceItem, SourceListing } from './document-source.js';
import { ExportSource, type ExportSourceOptions } from './export-source.js';
import type { ExportFile, ExportTree } from './export-tree.js';

const pageFile = /(?:^|\/)(?:[^/]*_)?(\d+)\.html$/;
const attachmentFile = /(?:^|\/)attachments\/(\d+)\/(\d+)(\.[^./]+)$/;

export interface ConfluenceOptions extends ExportSourceOptions {
  /** e.g. https://wiki.example.com; page urls become <base>/pages/viewpage.action?pageId=<id>. */
  baseUrl: string | null;
}

export class ConfluenceSource extends ExportSource {
  constructor(
    spec: SourceSpec,
    private readonly options: ConfluenceOptions,
  ) {
    super(spec, options);
  }

  protected async listTree({ files, problems }: ExportTree): Promise<SourceListing> {
    const entities = files.find((file) => path.posix.basename(file.path) === 'entities.xml');
    if (entities) return { ...(await this.xmlExportItems(entities, files)), problems };
    const pages = new Map<string, ExportFile>();
    const duplicates: FailedItem[] = [];
    for (const file of files) {
      const match = pageFile.exec(file.path);
      if (!match || file.path.includes('/attachments/') || file.path.startsWith('attachments/')) continue;
      const first = pages.get(match[1]!);
      // Two files of one page would replace each other: the first (in path order) is the page.
      if (first) duplicates.push({ path: file.path, reason: `another file of page ${match[1]} comes first (${first.path}); that one is indexed, this one is left out` });
      else pages.set(match[1]!, file);
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
      parse: (bytes) => this.parsers.run('confluencePage', bytes, { pageId, baseUrl }),
    }));
    const unsupported: string[] = [];
    // A page lists several attachments: read and parse it once for all of them.
    const listings = new Map<string, Promise<{ metadata: PageMetadata; names: Map<string, string> }>>();
    const listingOf = (pageId: string, page: ExportFile) => {
      let listing = listings.get(pageId);
      if (!listing) {
        listing = page.read().then((bytes) => this.parsers.run('confluenceAttachmentListing', bytes, { pageId }));
        listings.set(pageId, listing);
      }
      return listing;
    };
    for (const file of files) {
      const match = attachmentFile.exec(file.path);
      if (!match) continue; // export furniture: styles, icons, index.html
      const format = readableFormat(file.path);
      if (!format) {
        unsupported.push(file.path);
        continue;
      }
      const parse = this.parseFile(format);
      const [, pageId, attachmentId] = match as unknown as [string, string, string];
      const page = pages.get(pageId);
      items.push({
        key: `attachment:${attachmentId}`,
        path: file.path,
        size: file.size,
        modifiedAt: null,
        url: pageUrl(baseUrl, pageId),
        // Its title, path and labels come from its page: the page's content is part of its
        // fingerprint, or (where files have none, in a folder) what the page says of it is.
        fingerprint: file.fingerprint && page?.fingerprint ? `${file.fingerprint}|${page.fingerprint}` : null,
        ...(page && !(file.fingerprint && page.fingerprint) ? { metadata: async () => JSON.stringify((await listingOf(pageId, page)).metadata) } : {}),
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
            // An attachment is readable by whoever may read its page.
            labels: [...new Set([...(parsed.labels ?? []), ...metadata.labels])],
          };
        },
      });
    }
    return { items, problems: [...problems, ...duplicates], unsupported };
  }

  /** Pages and attachments of an XML export; each page's bytes are its own record, so its hash is its own. */
  private async xmlExportItems(entities: ExportFile, files: ExportFile[]): Promise<{ items: SourceItem[]; unsupported: string[] }> {
    const baseUrl = this.options.baseUrl;
    let exported: { pages: XmlExportPage[]; attachments: XmlExportAttachment[] };
    try {
      exported = await this.parsers.run('confluenceXmlExport', await entities.read());
    } catch (error) {
      throw new SourceUnavailableError(`${entities.path} is not a readable Confluence XML export: ${toGroundworkError(error).message}`, error);
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
        parse: (bytes: Buffer) => this.parsers.run('confluenceXmlPage', bytes),
      };
    });
    const byPath = new Map(files.map((file) => [file.path, file]));
    const root = path.posix.dirname(entities.path);
    const unsupported: string[] = [];
    for (const attachment of exported.attachments) {
      const page = pagesById.get(attachment.pageId);
      const file = byPath.get(path.posix.join(root, 'attachments', attachment.pageId, attachment.id, String(attachment.version)));
      if (!page || !file) continue;
      const format = readableFormat(attachment.fileName);
      if (!format) {
        unsupported.push(`${pathOf(page)} / ${attachment.fileName}`);
        continue;
      }
      const parse = this.parseFile(format);
      items.push({
        key: `attachment:${attachment.id}`,
        path: `${pathOf(page)} / ${attachment.fileName}`,
        size: file.size,
        modifiedAt: attachment.lastModified,
        url: pageUrl(baseUrl, page.id),
        fingerprint: file.fingerprint && `${file.fingerprint}|${pathOf(page)}`,
        // Its page's restrictions and status are its own.
        metadata: () => JSON.stringify({ labels: xmlPageLabels(page), status: page.status }),
        read: file.read,
        // An attachment is as current as the page it belongs to.
        parse: async (bytes) => ({ ...(await parse(bytes)), title: `${attachment.fileName} (attachment of ${page.title})`, labels: xmlPageLabels(page), status: page.status }),
      });
    }
    return { items, unsupported };
  }
}
