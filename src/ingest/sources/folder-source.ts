import fs from 'node:fs/promises';
import path from 'node:path';
import type { SourceSpec } from '../../config.js';
import { SourceUnavailableError } from '../../errors.js';
import { parserFor, parsersByExtension } from '../parsers/parsers.js';
import type { DocumentSource, SourceItem } from './document-source.js';

/** A plain folder of Markdown, HTML and text files (hidden files and folders are skipped). */
export class FolderSource implements DocumentSource {
  constructor(readonly spec: SourceSpec) {}

  async list(): Promise<SourceItem[]> {
    const root = this.spec.location;
    const stat = await fs.stat(root).catch((error: NodeJS.ErrnoException) => {
      throw new SourceUnavailableError(
        error.code === 'ENOENT' ? `folder ${root} does not exist` : `folder ${root} cannot be read (${error.code ?? error.message})`,
        error,
      );
    });
    if (!stat.isDirectory()) throw new SourceUnavailableError(`${root} is not a folder`);

    const items: SourceItem[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        throw new SourceUnavailableError(`folder ${dir} cannot be read (${error.code ?? error.message})`, error);
      });
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          await walk(full);
          continue;
        }
        const parse = parserFor(entry.name);
        if (!parse || !(entry.isFile() || entry.isSymbolicLink())) continue;
        const fileStat = await fs.stat(full).catch(() => null);
        items.push({
          path: path.relative(root, full).split(path.sep).join('/'),
          size: fileStat?.size ?? 0,
          modifiedAt: fileStat?.mtime ?? null,
          url: null,
          parse,
          read: () => fs.readFile(full),
        });
      }
    };
    await walk(root);
    if (items.length === 0) {
      const kinds = [...parsersByExtension.keys()].join(' ');
      throw new SourceUnavailableError(`folder ${root} holds no files of a supported kind (${kinds})`);
    }
    return items;
  }
}
