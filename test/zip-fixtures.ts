// Builds zip files for tests, including malformed ones that no well-behaved zip tool writes.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { tempDir } from './helpers.js';

export async function zipOf(files: Record<string, string | Buffer>, options: { compress?: boolean } = {}): Promise<Buffer> {
  return zipEntries(Object.entries(files).map(([name, content]) => ({ name, content, compress: options.compress })));
}

export interface ZipEntry {
  name: string;
  content: string | Buffer | (() => Readable);
  /** A Unix mode: 0o120777 makes a symbolic link, 0o010644 a named pipe. */
  mode?: number;
  compress?: boolean;
}

/** A zip of these entries in this order: duplicate names and any Unix file type included. */
export async function zipEntries(entries: ZipEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const { name, content, mode, compress = true } of entries) {
    const options = { compress, mtime: new Date('2026-01-01T00:00:00Z'), ...(mode === undefined ? {} : { mode }) };
    if (typeof content === 'function') zip.addReadStream(content(), name, options);
    else zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, options);
  }
  zip.end();
  const parts: Buffer[] = [];
  for await (const part of zip.outputStream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * Makes every entry's headers (local and central) claim it unpacks to no more than it is packed:
 * a zip whose sizes lie, so that only counting the inflated bytes finds what it really holds.
 */
export function understateSizes(zip: Buffer): Buffer {
  const result = Buffer.from(zip);
  const central = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = result.indexOf(central); at >= 0; at = result.indexOf(central, at + 4)) {
    const compressed = result.readUInt32LE(at + 20);
    result.writeUInt32LE(compressed, at + 24);
    const local = result.readUInt32LE(at + 42);
    // yazl writes sizes after the data (a data descriptor) and zeros here; readers use the central ones.
    result.writeUInt32LE(compressed, local + 18);
    result.writeUInt32LE(compressed, local + 22);
  }
  return result;
}

/** Zips a folder's files (recursively) under their relative paths. */
export async function zipFolder(folder: string): Promise<Buffer> {
  const files: Record<string, Buffer> = {};
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(folder, full).split(path.sep).join('/')] = fs.readFileSync(full);
  }
  return zipOf(files);
}

/** Renames an entry in place (same length): how a zip with "../" or "/etc/..." names is made. */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('names must have the same length');
  const result = Buffer.from(zip);
  const needle = Buffer.from(from);
  for (let at = result.indexOf(needle); at >= 0; at = result.indexOf(needle, at + 1)) Buffer.from(to).copy(result, at);
  return result;
}

/** Sets the "encrypted" flag of every entry in the central directory. */
export function markEncrypted(zip: Buffer): Buffer {
  const result = Buffer.from(zip);
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = result.indexOf(signature); at >= 0; at = result.indexOf(signature, at + 4)) {
    result.writeUInt16LE(result.readUInt16LE(at + 8) | 0x1, at + 8);
  }
  return result;
}

export function writeZip(bytes: Buffer, name = 'export.zip'): string {
  const file = path.join(tempDir('groundwork-zip-'), name);
  fs.writeFileSync(file, bytes);
  return file;
}
