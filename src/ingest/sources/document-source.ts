import type { SourceSpec } from '../../config.js';
import type { FailedItem } from '../../domain.js';
import type { ParsedDocument } from '../parsers/parsed-document.js';

/** One document of a source, read and parsed only when the sync needs it. */
export interface SourceItem {
  /** Identity within the source (a file path, a page id): the document id derives from it. */
  key: string;
  /** Path shown to readers (relative to the source root, or a page's place in its space). */
  path: string;
  size: number;
  modifiedAt: Date | null;
  url: string | null;
  /** When set, stands for the content: an unchanged fingerprint skips reading the bytes at all. */
  fingerprint?: string | null;
  /**
   * What the document becomes besides its bytes (labels and permissions from the export, a page's
   * status), where a change of it alone must re-index the document: part of its hash.
   */
  metadata?: () => string | Promise<string>;
  /** Reads the document's bytes, failing once more than maxBytes have come, whatever `size` says. */
  read(maxBytes?: number): Promise<Buffer>;
  parse(bytes: Buffer): ParsedDocument | Promise<ParsedDocument>;
}

export interface SourceListing {
  items: SourceItem[];
  /** Entries refused while listing (unsafe zip paths, encrypted entries), with the reason. */
  problems: FailedItem[];
  /** Files of a format no parser reads. */
  unsupported: string[];
  /** Entries left out on purpose, with the reason: links, pipes, sockets, devices. */
  skipped?: FailedItem[];
}

/** Lists the documents of one export or folder. Throws SourceUnavailableError when it cannot. */
export interface DocumentSource {
  readonly spec: SourceSpec;
  list(): Promise<SourceListing>;
  /** Releases what list() opened (a zip file). */
  close(): Promise<void>;
}
