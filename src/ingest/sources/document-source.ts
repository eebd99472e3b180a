import type { SourceSpec } from '../../config.js';
import type { Parser } from '../parsers/parsed-document.js';

/** One file of a source, read only when the sync needs its bytes. */
export interface SourceItem {
  /** Path relative to the source root, with forward slashes. */
  path: string;
  size: number;
  modifiedAt: Date | null;
  url: string | null;
  parse: Parser;
  read(): Promise<Buffer>;
}

/** Lists the items of one export or folder. Throws SourceUnavailableError when it cannot. */
export interface DocumentSource {
  readonly spec: SourceSpec;
  list(): Promise<SourceItem[]>;
}
