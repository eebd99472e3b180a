// What a SharePoint export holds besides plain files: the client-side pages of a PnP provisioning
// template (with .resx resources for {localization:…} tokens), modern pages saved as .aspx, and
// Microsoft Graph driveItem listings with a library's urls, dates, authors and permissions.
import type { Element } from 'domhandler';
import { decodeHTML } from 'entities';
import { DocumentUnreadableError } from '../../errors.js';
import { safeUrl } from '../../safe-url.js';
import { renderHtml } from './html-parser.js';
import { loadHtml, loadXml } from './markup.js';
import { collapse, decodeText, SectionBuilder, type ParsedDocument } from './parsed-document.js';
import { graphPermissionAccess, pnpPageAccess, type ItemAccess } from './sharepoint-permissions.js';

export interface DriveItemMetadata {
  /** The item's webUrl when it is an http(s) URL (a "javascript:" one is data, never a link). */
  url: string | null;
  updatedAt: Date | null;
  author: string | null;
  /** From the driveItem's `permissions` (a listing fetched with $expand=permissions); null when it has none. */
  access: ItemAccess | null;
}

function renderCanvasHtml(html: string, builder: SectionBuilder): void {
  const $ = loadHtml(html);
  renderHtml($, $('body'), builder);
}

/** {localization:Key} from the resources, {hosturl}/{site}/{sitecollection} as the site's base URL. */
export function resolveTokens(text: string, resources: ReadonlyMap<string, string>, baseUrl: string | null): string {
  return text
    .replace(/\{localization:([^}]+)\}/g, (token, key: string) => resources.get(key) ?? token)
    .replace(/\{(?:hosturl|site|sitecollection)\}/gi, baseUrl ?? '');
}

/** The text web parts of one client-side page of a PnP template, in section, column and order. */
export function parsePnpPage(fragment: string, resources: ReadonlyMap<string, string>, baseUrl: string | null): ParsedDocument {
  const resolve = (text: string) => resolveTokens(text, resources, baseUrl);
  const $ = loadXml(fragment);
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
      renderCanvasHtml(resolve(text), builder);
    }
  }
  const breaks = page.children('pnp\\:Security').children('pnp\\:BreakRoleInheritance').first();
  const labels = pnpPageAccess(
    breaks.length === 0
      ? null
      : {
          copyRoleAssignments: (breaks.attr('CopyRoleAssignments') ?? '').trim().toLowerCase() === 'true',
          assignments: breaks
            .children('pnp\\:RoleAssignment')
            .toArray()
            .map((assignment) => ({
              principal: resolve($(assignment).attr('Principal') ?? ''),
              roleDefinition: resolve($(assignment).attr('RoleDefinition') ?? ''),
              remove: ($(assignment).attr('Remove') ?? '').trim().toLowerCase() === 'true',
            })),
        },
  );
  return { title: resolve(page.attr('Title') ?? '') || null, sections: builder.build(), ...(labels.length > 0 ? { labels } : {}) };
}

/** The client-side pages of a PnP provisioning template, each as its own XML fragment; null when the file is no template. */
export function readPnpTemplate(bytes: Buffer): Array<{ pageName: string; fragment: string }> | null {
  const xml = decodeText(bytes);
  if (!/<pnp:Provisioning\b/.test(xml)) return null;
  const $ = loadXml(xml);
  return $('pnp\\:ClientSidePage')
    .toArray()
    .map((page) => ({ pageName: $(page).attr('PageName') ?? '', fragment: $.xml(page) }))
    .filter((page) => page.pageName !== '');
}

/** A modern page saved as .aspx: its body is HTML-escaped HTML in mso:CanvasContent1. */
export function parseModernPage(bytes: Buffer): ParsedDocument {
  const source = decodeText(bytes);
  const canvas = /<mso:CanvasContent1[^>]*>([\s\S]*?)<\/mso:CanvasContent1>/i.exec(source);
  if (!canvas) throw new DocumentUnreadableError('it is not a SharePoint modern page (no mso:CanvasContent1)');
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

/** The strings of a .resx resource file, by name. */
export function readResx(bytes: Buffer): Map<string, string> {
  const $ = loadXml(decodeText(bytes));
  return new Map(
    $('data')
      .toArray()
      .filter((data) => $(data).children('value').length > 0)
      .map((data) => [$(data).attr('name') ?? '', $(data).children('value').text()]),
  );
}

/** A Graph driveItem listing (`{"value": [driveItem…]}` or one driveItem) in `folder`, by item path; empty when the file is no listing. */
export function readDriveItems(bytes: Buffer, folder: string): Map<string, DriveItemMetadata> {
  const metadata = new Map<string, DriveItemMetadata>();
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return metadata; // not a listing
  }
  const items = Array.isArray((json as { value?: unknown }).value) ? (json as { value: unknown[] }).value : [json];
  for (const item of items as Array<Record<string, any>>) {
    if (typeof item?.name !== 'string' || (!item.file && !('size' in item))) continue;
    const modified = typeof item.lastModifiedDateTime === 'string' ? new Date(item.lastModifiedDateTime) : null;
    const itemPath = folder === '.' ? item.name : `${folder}/${item.name}`;
    if (metadata.has(itemPath)) continue; // listed twice: the first entry counts
    metadata.set(itemPath, {
      url: typeof item.webUrl === 'string' ? safeUrl(item.webUrl) : null,
      updatedAt: modified && !Number.isNaN(modified.getTime()) ? modified : null,
      author: item.lastModifiedBy?.user?.displayName ?? item.createdBy?.user?.displayName ?? null,
      access: Array.isArray(item.permissions) ? graphPermissionAccess(item.permissions) : null,
    });
  }
  return metadata;
}
