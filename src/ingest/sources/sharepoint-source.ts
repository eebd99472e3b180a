// A SharePoint export: a PnP provisioning template (Get-PnPSiteTemplate XML, with its .resx
// for {localization:…} tokens), modern page .aspx files (mso:CanvasContent1) and document
// library folders, with Microsoft Graph driveItem listings (JSON) beside the files for metadata.
// Who may read a library file comes from a Graph permission listing (the response of
// GET /drives/{drive-id}/items/{item-id}/permissions): `<file name>.permissions.json` beside the
// file, or `<folder name>.permissions.json` beside a folder for the files below it that have none of
// their own, or else a `permissions` array on the file's driveItem entry ($expand=permissions).
// See parsers/sharepoint-permissions.ts for the labels. JSON files are metadata, never documents.
import path from 'node:path';
import type { SourceSpec } from '../../config.js';
import { SourceUnavailableError } from '../../errors.js';
import { safeUrl } from '../../safe-url.js';
import { readableFormat } from '../parsers/parsers.js';
import type { ParsedDocument } from '../parsers/parsed-document.js';
import type { DriveItemMetadata } from '../parsers/sharepoint-pages.js';
import type { ItemAccess } from '../parsers/sharepoint-permissions.js';
import type { SourceItem, SourceListing } from './document-source.js';
import { ExportSource, type ExportSourceOptions } from './export-source.js';
import type { ExportFile, ExportTree } from './export-tree.js';

const permissionsSuffix = '.permissions.json';

/** The permission listing that applies to a file: its own, or its nearest folder's. */
function accessOf(filePath: string, listings: ReadonlyMap<string, ItemAccess>): ItemAccess | null {
  for (let at = filePath; at !== '.' && at !== ''; at = path.posix.dirname(at)) {
    const access = listings.get(at);
    if (access) return access;
    if (path.posix.dirname(at) === at) break;
  }
  return null;
}

export interface SharePointOptions extends ExportSourceOptions {
  /** e.g. https://contoso.sharepoint.com/sites/hr; urls become <base>/<path> unless Graph metadata gives webUrl. */
  baseUrl: string | null;
}

function siteUrl(baseUrl: string | null, itemPath: string): string | null {
  return baseUrl ? safeUrl(`${baseUrl.replace(/\/+$/, '')}/${itemPath.split('/').map(encodeURIComponent).join('/')}`) : null;
}

export class SharePointSource extends ExportSource {
  constructor(
    spec: SourceSpec,
    private readonly options: SharePointOptions,
  ) {
    super(spec, options);
  }

  protected async listTree({ files, problems }: ExportTree): Promise<SourceListing> {
    const baseUrl = this.options.baseUrl;
    // Graph driveItem listings found in the export, by item path (the first listing of a path counts).
    const driveItems = new Map<string, DriveItemMetadata>();
    const permissionFiles = new Map<string, ItemAccess>();
    for (const file of files.filter((f) => f.path.toLowerCase().endsWith(permissionsSuffix))) {
      permissionFiles.set(file.path.slice(0, -permissionsSuffix.length), await this.parsers.run('sharePointPermissions', await file.read()));
    }
    for (const file of files.filter((f) => f.path.toLowerCase().endsWith('.json') && !f.path.toLowerCase().endsWith(permissionsSuffix))) {
      const listing = await this.parsers.run('sharePointDriveItems', await file.read(), { folder: path.posix.dirname(file.path) });
      for (const [itemPath, metadata] of listing) if (!driveItems.has(itemPath)) driveItems.set(itemPath, metadata);
    }
    const items: SourceItem[] = [];
    const unsupported: string[] = [];

    const resources = new Map<string, string>();
    for (const file of files.filter((f) => /\.resx(\.xml)?$/i.test(f.path))) {
      for (const [key, value] of await this.parsers.run('sharePointResources', await file.read())) resources.set(key, value);
    }

    for (const file of files) {
      const lower = file.path.toLowerCase();
      if (lower.endsWith('.xml') && !/\.resx\.xml$/.test(lower)) {
        const pages = await this.parsers.run('sharePointTemplate', await file.read());
        for (const { pageName, fragment } of pages ?? []) {
          const pagePath = `SitePages/${pageName.endsWith('.aspx') ? pageName : `${pageName}.aspx`}`;
          // Each page is a document of its own: its bytes (and so its hash) are its own fragment.
          const bytes = Buffer.from(fragment);
          items.push({
            key: `page:${pageName}`,
            path: pagePath,
            size: bytes.length,
            modifiedAt: null,
            url: siteUrl(baseUrl, pagePath),
            read: async () => bytes,
            parse: (page) => this.parsers.run('sharePointTemplatePage', page, { resources, baseUrl }),
          });
        }
        continue;
      }
      const format = lower.endsWith('.aspx') ? null : readableFormat(file.path);
      const parse = lower.endsWith('.aspx') ? (bytes: Buffer) => this.parsers.run('sharePointModernPage', bytes) : format ? this.parseFile(format) : null;
      if (!parse) {
        if (!/\.(json|resx)$/.test(lower)) unsupported.push(file.path);
        continue;
      }
      const metadata = driveItems.get(file.path);
      const access = accessOf(file.path, permissionFiles) ?? metadata?.access ?? null;
      items.push(withMetadata(file, parse, metadata ?? null, access, {
        key: file.path,
        path: file.path,
        size: file.size,
        modifiedAt: metadata?.updatedAt ?? file.modifiedAt,
        url: metadata?.url ?? siteUrl(baseUrl, file.path),
      }));
    }
    if (items.length === 0 && problems.length === 0) {
      throw new SourceUnavailableError(`${this.spec.location} holds no SharePoint pages, PnP templates or library files of a supported kind`);
    }
    return { items, problems, unsupported };
  }
}

/**
 * A library file with what Graph says of it: its author, and its access labels and their warnings.
 * That metadata is part of what the document becomes, so a permission changed beside an unchanged
 * file re-indexes it (SourceItem.metadata).
 */
function withMetadata(
  file: ExportFile,
  parse: (bytes: Buffer) => ParsedDocument | Promise<ParsedDocument>,
  metadata: DriveItemMetadata | null,
  access: ItemAccess | null,
  item: Pick<SourceItem, 'key' | 'path' | 'size' | 'modifiedAt' | 'url'>,
): SourceItem {
  if (!metadata && !access) return { ...item, fingerprint: file.fingerprint && `${file.fingerprint}|null`, read: file.read, parse };
  const described = JSON.stringify({ metadata, access });
  return {
    ...item,
    fingerprint: file.fingerprint,
    metadata: () => described,
    read: file.read,
    parse: async (bytes) => {
      const parsed = await parse(bytes);
      return {
        ...(metadata?.author ? { author: metadata.author } : {}),
        ...parsed,
        ...(access ? { labels: [...new Set([...ownLabels(parsed), ...access.labels])], warnings: [...(parsed.warnings ?? []), ...access.warnings] } : {}),
      };
    },
  };
}

/** A file's own labels (front matter tags), less any that reads like an access label: only the export says who may read. */
function ownLabels(parsed: ParsedDocument): string[] {
  return (parsed.labels ?? []).filter((label) => !/^(sharepoint|confluence)-/i.test(label));
}
