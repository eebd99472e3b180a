// The files of an export, whether it is a folder or a .zip. Nothing is read from outside the
// export: folders are walked without following symbolic links (unless FOLLOW_SYMLINKS=inside,
// and then only links that resolve inside the export), only regular files are read — never a
// pipe, socket or device — and every read stops at a byte limit, whatever size a file was listed
// with. Zip entries are checked before anything is read: paths that escape the export, encrypted
// entries, links, duplicate names and zip bombs (too many entries, too many bytes in all, an
// implausible compression ratio) are refused.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import type { FailedItem } from '../../domain.js';
import { DocumentUnreadableError, GroundworkError, SourceUnavailableError } from '../../errors.js';
import { readPastLimit } from '../file-size.js';
import { defaultZipLimits, unsafeName, type ZipLimits } from '../zip-limits.js';

export interface ExportFile {
  /** Path inside the export, with forward slashes. */
  path: string;
  size: number;
  modifiedAt: Date | null;
  /** Identifies the content without reading it (a zip entry's CRC-32 and size); null in folders. */
  fingerprint: string | null;
  /** Reads the file, failing once more than maxBytes have come (the default: the tree's limit). */
  read(maxBytes?: number): Promise<Buffer>;
}

export interface ExportTree {
  files: ExportFile[];
  /** Entries refused before reading, with the reason. */
  problems: FailedItem[];
  /** Links and special files (pipes, sockets, devices) left out, with the reason. */
  skipped: FailedItem[];
  close(): Promise<void>;
}

/** Symbolic links in a folder export: never followed, or followed when they resolve inside the export. */
export type SymlinkPolicy = 'never' | 'inside';

export interface ExportOptions {
  zipLimits: ZipLimits;
  followSymlinks: SymlinkPolicy;
  /** What read() stops at when not told otherwise (MAX_FILE_MB). */
  maxFileBytes: number;
}

export const defaultExportOptions: ExportOptions = { zipLimits: defaultZipLimits, followSymlinks: 'never', maxFileBytes: 50 * 1024 * 1024 };

export const linkNotFollowed = 'it is a symbolic link, which is not followed (FOLLOW_SYMLINKS=inside follows links that stay inside the export)';

export async function openExportTree(location: string, options: Partial<ExportOptions> = {}): Promise<ExportTree> {
  const { zipLimits, followSymlinks, maxFileBytes } = { ...defaultExportOptions, ...options };
  const stat = await fs.stat(location).catch((error: NodeJS.ErrnoException) => {
    throw new SourceUnavailableError(
      error.code === 'ENOENT' ? `${location} does not exist` : `${location} cannot be read (${error.code ?? error.message})`,
      error,
    );
  });
  if (stat.isDirectory()) return { ...(await walkFolder(location, followSymlinks, maxFileBytes)), problems: [], close: async () => {} };
  if (location.toLowerCase().endsWith('.zip')) return openZip(location, zipLimits, maxFileBytes);
  throw new SourceUnavailableError(`${location} is neither a folder nor a .zip file`);
}

/** What a non-regular file is, in words. */
function describeSpecial(stat: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file or folder';
}

function isInside(realRoot: string, real: string): boolean {
  const relative = path.relative(realRoot, real);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

async function walkFolder(root: string, policy: SymlinkPolicy, defaultMaxBytes: number): Promise<{ files: ExportFile[]; skipped: FailedItem[] }> {
  const realRoot = await fs.realpath(root);
  const files: ExportFile[] = [];
  const skipped: FailedItem[] = [];
  // Folders reached through links, by real path: a link back up the tree would loop forever.
  const walked = new Set<string>([realRoot]);
  const addFile = (relative: string, openPath: string, stat: import('node:fs').Stats) =>
    files.push({
      path: relative,
      size: stat.size,
      modifiedAt: stat.mtime,
      fingerprint: null,
      read: (maxBytes = defaultMaxBytes) => readRegularFile(openPath, maxBytes, stat),
    });

  const walk = async (dir: string, realDir: string): Promise<void> => {
    // The folder must still be the one listed: a folder swapped for a link while the export is
    // read would lead outside it.
    if (dir !== root && (await fs.realpath(dir).catch(() => null)) !== realDir) {
      skipped.push({ path: path.relative(root, dir).split(path.sep).join('/'), reason: 'the folder changed while the export was read; the next sync reads it' });
      return;
    }
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      throw new SourceUnavailableError(`folder ${dir} cannot be read (${error.code ?? error.message})`, error);
    });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      const stat = await fs.lstat(full).catch(() => null);
      if (!stat) continue; // gone since the folder was listed
      if (stat.isDirectory()) {
        await walk(full, path.join(realDir, entry.name));
      } else if (stat.isFile()) {
        addFile(relative, full, stat);
      } else if (!stat.isSymbolicLink()) {
        skipped.push({ path: relative, reason: `it is ${describeSpecial(stat)}, not a regular file` });
      } else if (policy === 'never') {
        skipped.push({ path: relative, reason: linkNotFollowed });
      } else {
        const real = await fs.realpath(full).catch(() => null);
        const target = real && isInside(realRoot, real) ? await fs.stat(real).catch(() => null) : null;
        if (!real) skipped.push({ path: relative, reason: 'it is a symbolic link to nothing (its target is missing)' });
        else if (!isInside(realRoot, real)) skipped.push({ path: relative, reason: 'it is a symbolic link to a place outside the export, which is never followed' });
        else if (!target) skipped.push({ path: relative, reason: 'it is a symbolic link whose target cannot be read' });
        else if (target.isFile()) addFile(relative, real, target);
        else if (!target.isDirectory()) skipped.push({ path: relative, reason: `it is a symbolic link to ${describeSpecial(target)}, not a regular file` });
        else if (walked.has(real)) skipped.push({ path: relative, reason: 'it is a symbolic link to a folder that is read already (a loop, or a second way to it)' });
        else {
          walked.add(real);
          await walk(full, real);
        }
      }
    }
  };
  await walk(root, realRoot);
  return { files, skipped };
}

/**
 * Reads a file listed as regular: opened without following a link and without blocking (a pipe
 * swapped in would otherwise wait forever), checked to be the very file listed, and read up to
 * maxBytes — a listed size of 0 (/dev/zero) or a file that grows is never trusted.
 */
async function readRegularFile(file: string, maxBytes: number, listed: { dev: number; ino: number }): Promise<Buffer> {
  const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ELOOP') throw new DocumentUnreadableError('it became a symbolic link while the export was read; the next sync reads it', error);
    throw error;
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new DocumentUnreadableError(`it is ${describeSpecial(stat)}, not a regular file`);
    if (stat.dev !== listed.dev || stat.ino !== listed.ino) throw new DocumentUnreadableError('it was replaced while the export was read; the next sync reads it');
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One read for the listed size and a small one to see the end, in the usual case.
      const want = Math.min(total < stat.size ? stat.size - total + 1 : 4096, maxBytes + 1 - total);
      const part = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(part, 0, want, null);
      if (bytesRead === 0) break;
      parts.push(part.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw readPastLimit(maxBytes);
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  } finally {
    await handle.close();
  }
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

/** An entry's Unix file type from its external attributes (0: none recorded, a plain file). */
function unixFileType(entry: yauzl.Entry): number {
  return entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & 0o170000 : 0;
}

/** Why an entry of this Unix type is not read, or null for a file. */
function specialEntry(type: number): string | null {
  if (type === 0o120000) return 'it is a symbolic link stored in the zip, which is not followed';
  if (type === 0o010000) return 'it is a named pipe (FIFO) stored in the zip, not a regular file';
  if (type === 0o140000) return 'it is a socket stored in the zip, not a regular file';
  if (type === 0o020000 || type === 0o060000) return 'it is a device stored in the zip, not a regular file';
  return null;
}

function openZip(location: string, limits: ZipLimits, defaultMaxBytes: number): Promise<ExportTree> {
  return new Promise((resolve, reject) => {
    yauzl.open(location, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip) {
        reject(new SourceUnavailableError(`zip ${location} cannot be read: ${error?.message ?? 'unknown error'}`, error));
        return;
      }
      const files: ExportFile[] = [];
      const problems: FailedItem[] = [];
      const skipped: FailedItem[] = [];
      // The entry number of each path met: a second entry of the same name must not replace the first.
      const firstEntry = new Map<string, number>();
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
        const special = specialEntry(unixFileType(entry));
        const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
        const filePath = name.replace(/^(\.\/)+/, '');
        const first = firstEntry.get(filePath);
        if (unsafe) problems.push({ path: name, reason: unsafe });
        else if (first !== undefined) {
          problems.push({ path: name, reason: `entry ${entries} of the zip has the same name as entry ${first}; the first one (entry ${first}) is indexed, this one is left out` });
        } else if (special) {
          firstEntry.set(filePath, entries);
          skipped.push({ path: name, reason: special });
        } else if (entry.generalPurposeBitFlag & 0x1) problems.push({ path: name, reason: 'it is password-protected' });
        else if (entry.uncompressedSize > 1024 ** 2 && ratio > limits.maxRatio) {
          problems.push({ path: name, reason: `its compression ratio of ${Math.round(ratio)}:1 looks like a zip bomb` });
        } else {
          firstEntry.set(filePath, entries);
          files.push({
            path: filePath,
            size: entry.uncompressedSize,
            modifiedAt: entry.getLastModDate(),
            fingerprint: `zip:${entry.crc32.toString(16)}:${entry.uncompressedSize}`,
            read: (maxBytes = defaultMaxBytes) => readEntry(zip, entry, maxBytes),
          });
        }
        zip.readEntry();
      });
      zip.on('end', () =>
        resolve({
          files: files.sort((a, b) => a.path.localeCompare(b.path)),
          problems,
          skipped,
          close: async () => zip.close(),
        }),
      );
      zip.readEntry();
    });
  });
}

/** Inflates one entry, stopping past maxBytes (yauzl also stops an entry at its declared size). */
function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(new DocumentUnreadableError(`the zip entry cannot be read (${error?.message ?? 'unknown error'})`, error));
        return;
      }
      const parts: Buffer[] = [];
      let total = 0;
      stream.on('data', (part: Buffer) => {
        total += part.length;
        if (total > maxBytes) {
          stream.destroy();
          reject(readPastLimit(maxBytes));
        } else parts.push(part);
      });
      stream.on('error', (streamError: Error) =>
        reject(streamError instanceof GroundworkError ? streamError : new DocumentUnreadableError(`the zip entry cannot be read (${streamError.message})`, streamError)),
      );
      stream.on('end', () => resolve(Buffer.concat(parts)));
    });
  });
}
