import type { SourceSpec } from '../../config.js';
import { SourceUnavailableError } from '../../errors.js';
import { parserFor, parsersByExtension } from '../parsers/parsers.js';
import type { DocumentSource, SourceListing } from './document-source.js';
import { openExportTree, type ExportTree, type ZipLimits } from './export-tree.js';

/** A folder (or .zip) of documents in supported formats; hidden files and folders are skipped. */
export class FolderSource implements DocumentSource {
  private tree: ExportTree | null = null;

  constructor(
    readonly spec: SourceSpec,
    private readonly zipLimits?: ZipLimits,
  ) {}

  async list(): Promise<SourceListing> {
    this.tree = await openExportTree(this.spec.location, this.zipLimits);
    const unsupported = this.tree.files.filter((file) => !parserFor(file.path)).map((file) => file.path);
    const items = this.tree.files.flatMap((file) => {
      const parse = parserFor(file.path);
      return parse ? [{ key: file.path, path: file.path, size: file.size, modifiedAt: file.modifiedAt, url: null, fingerprint: file.fingerprint, read: file.read, parse }] : [];
    });
    if (items.length === 0 && this.tree.problems.length === 0) {
      const kinds = [...parsersByExtension.keys()].join(' ');
      throw new SourceUnavailableError(`${this.spec.location} holds no files of a supported kind (${kinds})`);
    }
    return { items, problems: this.tree.problems, unsupported };
  }

  async close(): Promise<void> {
    await this.tree?.close();
    this.tree = null;
  }
}
