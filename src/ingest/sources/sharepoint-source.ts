// A SharePoint export: a PnP provisioning template (Get-PnPSiteTemplate XML, with its .resx
// for {localization:…} tokens), modern page .aspx files (mso:CanvasContent1) and document
// library folders, with Microsoft Graph driveItem listings (JSON) beside the files for metadata.
import path from 'node:path';
import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';
import { decodeHTML } from 'entities';
import type { SourceSpec } from '../../config.js';
import { SourceUnavailableError } from '../../errors.js';
import { renderHtml } from '../parsers/html-parser.js';
import { collapse, decodeText, SectionBuilder, type ParsedDocument } from '../parsers/parsed-document.js';
import { parserFor } from '../parsers/parsers.js';
import type { SourceItem, SourceListing } from './document-source.js';
import { ExportSource, type ExportFile, type ExportTree, type ZipLimits } from './export-tree.js';

export interface SharePointOptions {
  /** e.g. https://contoso.sharepoint.com/sites/hr; urls become <base>/<path> unless Graph metadata gives webUrl. */
  baseUrl: string | null;
  zipLimits?: ZipLimits;
}

interface DriveItemMetadata {
  url: string | null;
  updatedAt: Date | null;
  author: string | null;
}

function siteUrl(baseUrl: string | null, itemPath: string): string | null {
  return baseUrl ? `${baseUrl.replace(/\/+$/, '')}/${itemPath.split('/').map(encodeURIComponent).join('/')}` : null;
}

function renderCanvasHtml(html: string, builder: SectionBuilder): void {
  const $ = cheerio.load(html);
  renderHtml($, $('body'), builder);
}

/** The text web parts of one client-side page of a PnP template, in section, column and order. */
export function parsePnpPage(fragment: string, resolveTokens: (text: string) => string): ParsedDocument {
  const $ = cheerio.load(fragment, { xml: true });
  const page = $('pnp\\:ClientSidePage').first();
  const order = (element: Element, name: string) => Number($(element).attr(name) ?? 0);
  const builder = new SectionBuilder();
  const sections = page.find('pnp\\:Section').toArray().sort((a, b) => order(a, 'Order') - order(b, 'Order'));
  for (const section of sections) {
    const controls = $(section)
      .find('pnp\\:CanvasControl[WebPartType="Text"]')
      .toArray()
      .sort((a, b) => order(a, 'Column') - order(b, 'Column') || order(a, 'Order') - order(b, 'Order'));
    for (const control of controls) {
      const text = $(control).find('pnp\\:CanvasControlProperty[Key="Text"]').attr('Value') ?? '';
      renderCanvasHtml(resolveTokens(text), builder);
    }
  }
  return { title: resolveTokens(page.attr('Title') ?? '') || null, sections: builder.build() };
}

/** A modern page saved as .aspx: its body is HTML-escaped HTML in mso:CanvasContent1. */
export function parseModernPage(bytes: Buffer): ParsedDocument {
  const source = decodeText(bytes);
  const canvas = /<mso:CanvasContent1[^>]*>([\s\S]*?)<\/mso:CanvasContent1>/i.exec(source);
  if (!canvas) throw new Error('it is not a SharePoint modern page (no mso:CanvasContent1)');
  const builder = new SectionBuilder();
  renderCanvasHtml(decodeHTML(canvas[1]!), builder);
  const field = (name: string) => {
    const match = new RegExp(`<mso:${name}[^>]*>([\\s\\S]*?)</mso:${name}>`, 'i').exec(source);
    return match ? collapse(decodeHTML(match[1]!)) : '';
  };
  const title = field('Title') || collapse(decodeHTML(/<title>([\s\S]*?)<\/title>/i.exec(source)?.[1] ?? ''));
  const published = field('FirstPublishedDate') || field('Modified');
  const updatedAt = published && !Number.isNaN(Date.parse(published)) ? new Date(published) : undefined;
  return { title: title || null, sections: builder.build(), ...(updatedAt ? { updatedAt } : {}) };
}

function readResx(xml: string): Map<string, string> {
  const $ = cheerio.load(xml, { xml: true });
  return new Map(
    $('data')
      .toArray()
      .filter((data) => $(data).children('value').length > 0)
      .map((data) => [$(data).attr('name') ?? '', $(data).children('value').text()]),
  );
}

/** Graph driveItem listings (`{"value": [driveItem…]}` or one driveItem) found in the export. */
async function readDriveItems(files: ExportFile[]): Promise<Map<string, DriveItemMetadata>> {
  const metadata = new Map<string, DriveItemMetadata>();
  for (const file of files.filter((f) => f.path.toLowerCase().endsWith('.json'))) {
    let json: unknown;
    try {
      json = JSON.parse((await file.read()).toString('utf8'));
    } catch {
      continue; // not a listing
    }
    const items = Array.isArray((json as { value?: unknown }).value) ? (json as { value: unknown[] }).value : [json];
    const folder = path.posix.dirname(file.path);
    for (const item of items as Array<Record<string, any>>) {
      if (typeof item?.name !== 'string' || !item.file && !('size' in item)) continue;
      const modified = typeof item.lastModifiedDateTime === 'string' ? new Date(item.lastModifiedDateTime) : null;
      metadata.set(folder === '.' ? item.name : `${folder}/${item.name}`, {
        url: typeof item.webUrl === 'string' ? item.webUrl : null,
        updatedAt: modified && !Number.isNaN(modified.getTime()) ? modified : null,
        author: item.lastModifiedBy?.user?.displayName ?? item.createdBy?.user?.displayName ?? null,
      });
    }
  }
  return metadata;
}

export class SharePointSource extends ExportSource {
  constructor(
    spec: SourceSpec,
    private readonly options: SharePointOptions,
  ) {
    super(spec, options.zipLimits);
  }

  protected async listTree({ files, problems }: ExportTree): Promise<SourceListing> {
    const baseUrl = this.options.baseUrl;
    const driveItems = await readDriveItems(files);
    const items: SourceItem[] = [];
    const unsupported: string[] = [];

    const resx = new Map<string, string>();
    for (const file of files.filter((f) => /\.resx(\.xml)?$/i.test(f.path))) {
      for (const [key, value] of readResx(decodeText(await file.read()))) resx.set(key, value);
    }
    const resolveTokens = (text: string) =>
      text
        .replace(/\{localization:([^}]+)\}/g, (token, key: string) => resx.get(key) ?? token)
        .replace(/\{(?:hosturl|site|sitecollection)\}/gi, baseUrl ?? '');

    for (const file of files) {
      const lower = file.path.toLowerCase();
      if (lower.endsWith('.xml') && !/\.resx\.xml$/.test(lower)) {
        const xml = decodeText(await file.read());
        if (!/<pnp:Provisioning\b/.test(xml)) continue;
        const $ = cheerio.load(xml, { xml: true });
        for (const page of $('pnp\\:ClientSidePage').toArray()) {
          const pageName = $(page).attr('PageName') ?? '';
          if (pageName === '') continue;
          const pagePath = `SitePages/${pageName.endsWith('.aspx') ? pageName : `${pageName}.aspx`}`;
          // Each page is a document of its own: its bytes (and so its hash) are its own fragment.
          const fragment = Buffer.from($.xml(page));
          items.push({
            key: `page:${pageName}`,
            path: pagePath,
            size: fragment.length,
            modifiedAt: null,
            url: siteUrl(baseUrl, pagePath),
            read: async () => fragment,
            parse: (bytes) => parsePnpPage(bytes.toString('utf8'), resolveTokens),
          });
        }
        continue;
      }
      const parse = lower.endsWith('.aspx') ? parseModernPage : parserFor(file.path);
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
