// Everything the sync parses, by name, taking bytes and options that can cross to another process:
// the same functions run in a parser process (parser-pool.ts) or, without a pool, in this thread.
import { InternalError } from '../../errors.js';
import type { ZipLimits } from '../zip-limits.js';
import { parseConfluencePage, parseXmlExportPage, readAttachmentListing } from './confluence-page.js';
import { readXmlExport } from './confluence-xml-export.js';
import { decodeText } from './parsed-document.js';
import { parsersByExtension } from './parsers.js';
import { parseModernPage, parsePnpPage, readDriveItems, readPnpTemplate, readResx } from './sharepoint-pages.js';
import { readPermissionsFile } from './sharepoint-permissions.js';

export const parseTasks = {
  /** A file by its format (a lower-case extension, as readableFormat() gives it). */
  file: (bytes: Buffer, { format, officeLimits }: { format: string; officeLimits: ZipLimits }) => {
    const parse = parsersByExtension.get(format);
    if (!parse) throw new InternalError(`no parser reads ${format} files`);
    return parse(bytes, officeLimits);
  },
  confluencePage: (bytes: Buffer, { pageId, baseUrl }: { pageId: string; baseUrl: string | null }) => parseConfluencePage(bytes, pageId, baseUrl),
  confluenceAttachmentListing: (bytes: Buffer, { pageId }: { pageId: string }) => readAttachmentListing(bytes, pageId),
  confluenceXmlExport: (bytes: Buffer) => readXmlExport(decodeText(bytes)),
  confluenceXmlPage: (bytes: Buffer) => parseXmlExportPage(bytes),
  sharePointModernPage: (bytes: Buffer) => parseModernPage(bytes),
  sharePointTemplate: (bytes: Buffer) => readPnpTemplate(bytes),
  sharePointTemplatePage: (bytes: Buffer, { resources, baseUrl }: { resources: Map<string, string>; baseUrl: string | null }) =>
    parsePnpPage(bytes.toString('utf8'), resources, baseUrl),
  sharePointResources: (bytes: Buffer) => readResx(bytes),
  sharePointDriveItems: (bytes: Buffer, { folder }: { folder: string }) => readDriveItems(bytes, folder),
  sharePointPermissions: (bytes: Buffer) => readPermissionsFile(bytes),
};

export type ParseTasks = typeof parseTasks;
export type ParseTaskName = keyof ParseTasks;
/** A task's options as the rest of a call's arguments: none for tasks that take none. */
export type ParseTaskOptions<T extends ParseTaskName> = Parameters<ParseTasks[T]> extends [Buffer, infer O] ? [options: O] : [];
export type ParseTaskResult<T extends ParseTaskName> = Awaited<ReturnType<ParseTasks[T]>>;

/** Runs a task by name in this thread. */
export function runParseTask<T extends ParseTaskName>(task: T, bytes: Buffer, ...options: ParseTaskOptions<T>): Promise<ParseTaskResult<T>> {
  const run = parseTasks[task] as (bytes: Buffer, options: unknown) => ParseTaskResult<T> | Promise<ParseTaskResult<T>>;
  return Promise.resolve().then(() => run(bytes, options[0]));
}
