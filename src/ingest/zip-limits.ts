// What any zip may hold before it is taken for a bomb, wherever it is met: an export, or an
// Office file inside one (ZIP_MAX_ENTRIES, ZIP_MAX_TOTAL_MB, ZIP_MAX_RATIO).

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** Uncompressed / compressed size above which an entry (over 1 MB) is taken for a bomb. */
  maxRatio: number;
}

export const defaultZipLimits: ZipLimits = { maxEntries: 100_000, maxTotalBytes: 10 * 1024 ** 3, maxRatio: 200 };

/** Why an entry name may not be used, or null when it is a plain relative path. */
export function unsafeName(name: string): string | null {
  if (name.includes('\u0000')) return 'its name holds a NUL character';
  if (/^([a-zA-Z]:)?[\\/]/.test(name)) return 'its path is absolute';
  if (name.split(/[\\/]/).includes('..')) return 'its path escapes the export folder (..)';
  return null;
}
