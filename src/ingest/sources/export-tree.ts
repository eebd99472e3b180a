// The files of an export, whether it is a folder or a .zip. Zip entries are checked before
// anything is read: paths that escape the export, encrypted entries and zip bombs (too many
// entries, too many bytes in all, an implausible compression ratio) are refused.
import fs from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import type { SourceSpec } from '../../config.js';
import type { FailedItem } from '../../domain.js';
import { SourceUnavailableError } from '../../errors.js';
import type { DocumentSource, SourceListing } from './document-source.js';

export interface ExportFile {
  /** Path inside the export, with forward slashes. */
  path: string;
  size: number;
  modifiedAt: Date | null;
  /** Identifies the content without reading it (a zip entry's CRC-32 and size); null in folders. */
  fingerprint: string | null;
  read(): Promise<Buffer>;
}

export interface ExportTree {
  files: ExportFile[];
  /** Entries refused before reading, with the reason. */
  problems: FailedItem[];
  close(): Promise<void>;
}

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** Uncompressed / compressed size above which an entry (over 1 MB) is taken for a bomb. */
  maxRatio: number;
}

export const defaultZipLimits: ZipLimits = { maxEntries: 100_000, maxTotalBytes: 10 * 1024 ** 3, maxRatio: 200 };

export async function openExportTree(location: string, limits: ZipLimits = defaultZipLimits): Promise<ExportTree> {
  const stat = await fs.stat(location).catch((error: NodeJS.ErrnoException) => {
    throw new SourceUnavailableError(
      error.code === 'ENOENT' ? `${location} does not exist` : `${location} cannot be read (${error.code ?? error.message})`,
      error,
    );
  });
  if (stat.isDirectory()) return { files: await walkFolder(location), problems: [], close: async () => {} };
  if (location.toLowerCase().endsWith('.zip')) return openZip(location, limits);
  throw new SourceUnavailableError(`${location} is neither a folder nor a .zip file`);
}

async function walkFolder(root: string): Promise<ExportFile[]> {
  const files: ExportFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      throw new SourceUnavailableError(`folder ${dir} cannot be read (${error.code ?? error.message})`, error);
    });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        const stat = await fs.stat(full).catch(() => null);
        files.push({
          path: path.relative(root, full).split(path.sep).join('/'),
          size: stat?.size ?? 0,
          modifiedAt: stat?.mtime ?? null,
          fingerprint: null,
          read: () => fs.readFile(full),
        });
      }
    }
  };
  await walk(root);
  return files;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeEntryName(raw: Buffer, flags: number): string {
  if (flags & 0x800) return raw.toString('utf8');
  try {
    return utf8.decode(raw); // many tools write UTF-8 without setting the flag
  } catch {
    return raw.toString('latin1');
  }
}

/** Why an entry name may not be used, or null when it is a plain relative path. */
function unsafeName(name: string): string | null {
  if (name.includes('\u0000')) return 'its name holds a NUL character';
  if (/^([a-zA-Z]:)?[\\/]/.test(name)) return 'its path is absolute';
  if (name.split(/[\\/]/).includes('..')) return 'its path escapes the export folder (..)';
  return null;
}

function openZip(location: string, limits: ZipLimits): Promise<ExportTree> {
  return new Promise((resolve, reject) => {
    yauzl.open(location, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip) {
        reject(new SourceUnavailableError(`zip ${location} cannot be read: ${error?.message ?? 'unknown error'}`, error));
        return;
      }
      const files: ExportFile[] = [];
      const problems: FailedItem[] = [];
      let entries = 0;
      let totalBytes = 0;
      const fail = (message: string) => {
        zip.close();
        reject(new SourceUnavailableError(`zip ${location} ${message}`));
      };
      zip.on('error', (zipError: Error) => fail(`cannot be read: ${zipError.message}`));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (++entries > limits.maxEntries) return fail(`holds more than ${limits.maxEntries} entries; refused as a possible zip bomb`);
        const name = decodeEntryName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag).replace(/\\/g, '/');
        if (name.endsWith('/')) return zip.readEntry();
        totalBytes += entry.uncompressedSize;
        if (totalBytes > limits.maxTotalBytes) {
          return fail(`unpacks to more than ${Math.round(limits.maxTotalBytes / 1024 ** 2)} MB; refused as a possible zip bomb`);
        }
        const unsafe = unsafeName(name);
        const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
        if (unsafe) problems.push({ path: name, reason: unsafe });
        else if (entry.generalPurposeBitFlag & 0x1) problems.push({ path: name, reason: 'it is password-protected' });
        else if (entry.uncompressedSize > 1024 ** 2 && ratio > limits.maxRatio) {
          problems.push({ path: name, reason: `its compression ratio of ${Math.round(ratio)}:1 looks like a zip bomb` });
        } else {
          files.push({
            path: name.replace(/^\.\//, ''),
            size: entry.uncompressedSize,
            modifiedAt: entry.getLastModDate(),
            fingerprint: `zip:${entry.crc32.toString(16)}:${entry.uncompressedSize}`,
            read: () => readEntry(zip, entry),
          });
        }
        zip.readEntry();
      });
      zip.on('end', () =>
        resolve({
          files: files.sort((a, b) => a.path.localeCompare(b.path)),
          problems,
          close: async () => zip.close(),
        }),
      );
      zip.readEntry();
    });
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(new Error(`the zip entry cannot be read (${error?.message ?? 'unknown error'})`));
        return;
      }
      const parts: Buffer[] = [];
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('error', (streamError: Error) => reject(new Error(`the zip entry cannot be read (${streamError.message})`)));
      stream.on('end', () => resolve(Buffer.concat(parts)));
    });
  });
}

/** A source read from an export tree (folder or zip), opened by list() and released by close(). */
export abstract class ExportSource implements DocumentSource {
  private tree: ExportTree | null = null;

  constructor(
    readonly spec: SourceSpec,
    private readonly zipLimits?: ZipLimits,
  ) {}

  async list(): Promise<SourceListing> {
    await this.close();
    this.tree = await openExportTree(this.spec.location, this.zipLimits);
    return this.listTree(this.tree);
  }

  protected abstract listTree(tree: ExportTree): Promise<SourceListing>;

  async close(): Promise<void> {
    await this.tree?.close();
    this.tree = null;
  }
}
