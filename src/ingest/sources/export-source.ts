import type { SourceSpec } from '../../config.js';
import { defaultOfficeLimits, officeLimits } from '../parsers/office-zip.js';
import { inProcessParsers, type Parsers } from '../parsers/parser-pool.js';
import type { ParsedDocument } from '../parsers/parsed-document.js';
import { defaultZipLimits, type ZipLimits } from '../zip-limits.js';
import type { DocumentSource, SourceListing } from './document-source.js';
import { defaultExportOptions, openExportTree, type ExportTree, type SymlinkPolicy } from './export-tree.js';

export interface ExportSourceOptions {
  zipLimits?: ZipLimits;
  /** Limits for the zips inside Office files (default: zipLimits, with the total capped at 512 MB). */
  officeLimits?: ZipLimits;
  followSymlinks?: SymlinkPolicy;
  /** The largest file read, metadata files included (MAX_FILE_MB). */
  maxFileBytes?: number;
  /** Where documents are parsed: a worker pool; in this thread when not given. */
  parsers?: Parsers;
}

/** A source read from an export tree (folder or zip), opened by list() and released by close(). */
export abstract class ExportSource implements DocumentSource {
  private tree: ExportTree | null = null;
  protected readonly parsers: Parsers;
  protected readonly officeLimits: ZipLimits;

  constructor(
    readonly spec: SourceSpec,
    private readonly exportOptions: ExportSourceOptions = {},
  ) {
    this.parsers = exportOptions.parsers ?? inProcessParsers;
    this.officeLimits = exportOptions.officeLimits ?? (exportOptions.zipLimits ? officeLimits(exportOptions.zipLimits, defaultOfficeLimits.maxTotalBytes) : defaultOfficeLimits);
  }

  async list(): Promise<SourceListing> {
    await this.close();
    const { zipLimits = defaultZipLimits, followSymlinks = defaultExportOptions.followSymlinks, maxFileBytes = defaultExportOptions.maxFileBytes } = this.exportOptions;
    this.tree = await openExportTree(this.spec.location, { zipLimits, followSymlinks, maxFileBytes });
    const listing = await this.listTree(this.tree);
    return { ...listing, skipped: [...this.tree.skipped, ...(listing.skipped ?? [])] };
  }

  protected abstract listTree(tree: ExportTree): Promise<SourceListing>;

  /** Parses a file of a readable format (readableFormat()), where this source parses. */
  protected parseFile(format: string): (bytes: Buffer) => Promise<ParsedDocument> {
    return (bytes) => this.parsers.run('file', bytes, { format, officeLimits: this.officeLimits });
  }

  async close(): Promise<void> {
    await this.tree?.close();
    this.tree = null;
  }
}
