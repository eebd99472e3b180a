// Sizes as people read them in sync reports, and the one way a file over MAX_FILE_MB is refused.
import { DocumentTooLargeError } from '../errors.js';

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Refuses a file whose size (listed, or of the bytes read) is over the limit. */
export function refuseOversized(bytes: number, limit: number): void {
  if (bytes > limit) throw new DocumentTooLargeError(`it is ${formatMegabytes(bytes)}, over the ${formatMegabytes(limit)} limit (MAX_FILE_MB)`);
}

/** A read stopped at the limit, whatever size the file was listed with (it grew, or it is not what it said). */
export function readPastLimit(limit: number): DocumentTooLargeError {
  return new DocumentTooLargeError(`it is over the ${formatMegabytes(limit)} limit (MAX_FILE_MB); reading stopped there`);
}
