import { SourceUnavailableError } from '../../errors.js';
import { parsersByExtension, readableFormat } from '../parsers/parsers.js';
import type { SourceItem, SourceListing } from './document-source.js';
import { ExportSource } from './export-source.js';
import type { ExportTree } from './export-tree.js';

/** A folder (or .zip) of documents in supported formats; hidden files and folders are skipped. */
export class FolderSource extends ExportSource {
  protected async listTree(tree: ExportTree): Promise<SourceListing> {
    const unsupported: string[] = [];
    const items: SourceItem[] = [];
    for (const file of tree.files) {
      const format = readableFormat(file.path);
      if (format) items.push({ key: file.path, path: file.path, size: file.size, modifiedAt: file.modifiedAt, url: null, fingerprint: file.fingerprint, read: file.read, parse: this.parseFile(format) });
      else unsupported.push(file.path);
    }
    if (items.length === 0 && tree.problems.length === 0) {
      const kinds = [...parsersByExtension.keys()].join(' ');
      throw new SourceUnavailableError(`${this.spec.location} holds no files of a supported kind (${kinds})`);
    }
    return { items, problems: tree.problems, unsupported };
  }
}
