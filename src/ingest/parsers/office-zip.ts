// Office files (.docx, .pptx, .xlsx) are zips, and a zip bomb inside one is as dangerous as an
// export's: 516 KB whose word/document.xml inflates to 280 MB ends a process with 384 MB of heap.
// So the parts are inflated here, before any Office library sees them, under the same limits as
// export zips (ZIP_MAX_ENTRIES, ZIP_MAX_TOTAL_MB, ZIP_MAX_RATIO) — checked against the central
// directory first, then again on the bytes as they inflate, since a header can lie — and the
// libraries get the parts back as a zip without compression, holding exactly what was checked.
import yauzl from 'yauzl';
import { DocumentTooLargeError, DocumentUnreadableError, GroundworkError } from '../../errors.js';
import { defaultZipLimits, unsafeName, type ZipLimits } from '../zip-limits.js';

/** Office parts may unpack to no more than a parser could hold (PARSE_MAX_MEMORY_MB), whatever ZIP_MAX_TOTAL_MB allows. */
export const defaultOfficeLimits: ZipLimits = { ...defaultZipLimits, maxTotalBytes: 512 * 1024 * 1024 };

/** The limits for an Office file: an export's, with the total capped at the parser's memory. */
export function officeLimits(zipLimits: ZipLimits, parserMemoryBytes: number): ZipLimits {
  return { ...zipLimits, maxTotalBytes: Math.min(zipLimits.maxTotalBytes, parserMemoryBytes) };
}

export interface OfficeParts {
  /** Part name -> its bytes, in the zip's order. */
  parts: Map<string, Buffer>;
  /** What was odd but not fatal (a part named twice: the first is read). */
  warnings: string[];
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;

function bomb(message: string): DocumentTooLargeError {
  return new DocumentTooLargeError(`${message}; refused as a possible zip bomb`);
}

/**
 * Inflates every part of an Office file, refusing it as soon as a limit is passed: too many parts,
 * more bytes in all than the limit, a part over 1 MB inflating more than maxRatio times its
 * compressed size. `kind` names the format in messages ("Word document").
 */
export function unpackOffice(bytes: Buffer, limits: ZipLimits, kind: string): Promise<OfficeParts> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false }, (error, zip) => {
      if (error || !zip) {
        reject(new DocumentUnreadableError(`it is not a valid ${kind} (${error?.message ?? 'unknown error'})`, error));
        return;
      }
      const parts = new Map<string, Buffer>();
      const warnings: string[] = [];
      let entries = 0;
      let declared = 0;
      let inflated = 0;
      let settled = false;
      const fail = (failure: Error) => {
        if (settled) return;
        settled = true;
        zip.close();
        reject(failure instanceof GroundworkError ? failure : new DocumentUnreadableError(`it is not a valid ${kind} (${failure.message})`, failure));
      };
      zip.on('error', fail);
      zip.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ parts, warnings });
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (settled) return;
        if (++entries > limits.maxEntries) return fail(bomb(`it holds more than ${limits.maxEntries} parts`));
        const name = entry.fileName.replace(/\\/g, '/');
        if (name.endsWith('/')) return zip.readEntry();
        if (entry.generalPurposeBitFlag & 0x1) return fail(new DocumentUnreadableError('it is password-protected'));
        if (unsafeName(name)) return fail(new DocumentUnreadableError(`it is not a valid ${kind} (a part named "${name}")`));
        if (parts.has(name)) {
          warnings.push(`it holds two parts named ${name}; the first one is read`);
          return zip.readEntry();
        }
        declared += entry.uncompressedSize;
        if (declared > limits.maxTotalBytes) return fail(bomb(`its parts unpack to more than ${megabytes(limits.maxTotalBytes)}`));
        const overRatio = (size: number) => size > 1024 ** 2 && size / Math.max(entry.compressedSize, 1) > limits.maxRatio;
        if (overRatio(entry.uncompressedSize)) {
          return fail(bomb(`its part ${name} has a compression ratio of ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))}:1`));
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return fail(streamError ?? new DocumentUnreadableError(`it is not a valid ${kind} (a part cannot be read)`));
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            inflated += chunk.length;
            // The header's sizes were checked; these are the bytes themselves.
            if (inflated > limits.maxTotalBytes) {
              stream.destroy();
              fail(bomb(`its parts unpack to more than ${megabytes(limits.maxTotalBytes)}`));
            } else if (overRatio(size)) {
              stream.destroy();
              fail(bomb(`its part ${name} inflates more than ${limits.maxRatio} times its compressed size`));
            } else chunks.push(chunk);
          });
          stream.on('error', (readError: Error) =>
            // yauzl stops a part that inflates past the size its header gives.
            fail(/too many bytes in the stream/.test(readError.message) ? bomb(`its part ${name} unpacks to more than its header says`) : readError),
          );
          stream.on('end', () => {
            if (settled) return;
            parts.set(name, Buffer.concat(chunks, size));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** The checked parts as a zip without compression, for libraries that want a zip (mammoth, exceljs). */
export async function storedZip({ parts }: OfficeParts): Promise<Buffer> {
  const { default: JSZip } = await import('jszip');
  const zip = new JSZip();
  for (const [name, content] of parts) zip.file(name, content, { binary: true, createFolders: false });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
}
