// A SharePoint export: a PnP provisioning template (Get-PnPSiteTemplate XML, with its .resx
// for {localization:…} tokens), modern page .aspx files (mso:CanvasContent1) and document
// library folders, with Microsoft Graph driveItem listings (JSON) beside the files for metadata.
import path from 'node:path';
import type { SourceSpec } from '../../config.js';
import { SourceUnavailableError } from '../../errors.js';
import { safeUrl } from '../../safe-url.js';
import { readableFormat } from '../parsers/parsers.js';
import type { DriveItemMetadata } from '../parsers/sharepoint-pages.js';
import type { SourceItem, SourceListing } from './document-source.js';
import { ExportSource, type ExportSourceOptions } from './export-source.js';
import type { ExportTree } from './export-tree.js';

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
    for (const file of files.filter((f) => f.path.toLowerCase().endsWith('.json'))) {
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
      items.push({
        key: file.path,
        path: file.path,
        size: file.size,
        modifiedAt: metadata?.updatedAt ?? file.modifiedAt,
        url: metadata?.url ?? siteUrl(baseUrl, file.path),
        // Graph metadata is part of what the document becomes, so it is part of its fingerprint.
        fingerprint: file.fingerprint && `${file.fingerprint}|${JSON.stringify(metadata ?? null)}`,
        read: file.read,
        parse: metadata?.author ? async (bytes) => ({ author: metadata.author, ...(await parse(bytes)) }) : parse,
      });
    }
    if (items.length === 0 && problems.length === 0) {
      throw new SourceUnavailableError(`${this.spec.location} holds no SharePoint pages, PnP templates or library files of a supported kind`);
    }
    return { items, problems, unsupported };
  }
}
