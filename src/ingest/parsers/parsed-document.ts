import { DocumentUnreadableError } from '../../errors.js';
import type { Section, SectionLocation } from '../../domain.js';

/** What a parser makes of a file's bytes; the sync job adds ids and the source's metadata. */
export interface ParsedDocument {
  /** The document's own title (front matter, <title>, first heading), when it has one. */
  title: string | null;
  sections: Section[];
  /** Metadata the document itself holds (an export's page metadata), overriding the source's. */
  path?: string;
  url?: string | null;
  updatedAt?: Date | null;
  author?: string | null;
  /** Labels or tags the document carries (Confluence labels, front matter `tags`/`labels`). */
  labels?: string[];
  /** A lifecycle status the export records (Confluence "archived", front matter `status`). */
  status?: string | null;
  /** What was odd about the file but did not stop it being read (an Office part named twice). */
  warnings?: string[];
}

export type Parser = (bytes: Buffer) => ParsedDocument | Promise<ParsedDocument>;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 text, refusing binary content (NUL bytes or invalid UTF-8). */
export function decodeText(bytes: Buffer): string {
  if (bytes.subarray(0, 8192).includes(0)) {
    throw new DocumentUnreadableError('it is not a text file (binary content)');
  }
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new DocumentUnreadableError('it is not valid UTF-8 text', error);
  }
}

const compoundFileSignature = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** Office files are zips; an encrypted one (or a pre-2007 .doc/.xls/.ppt) is an OLE compound file. */
export function refuseCompoundFile(bytes: Buffer, kind: string): void {
  if (bytes.subarray(0, 8).equals(compoundFileSignature)) {
    throw new DocumentUnreadableError(`it is password-protected (or an old binary ${kind} file, which is not supported)`);
  }
}

/**
 * Collects blocks of text under the current heading path into sections. A section's location is
 * its heading's (an anchor) or where its text is (a page, a slide, a sheet), when the parser says.
 */
export class SectionBuilder {
  private readonly sections: Section[] = [];
  private headingPath: string[] = [];
  private lines: string[] = [];
  private location: SectionLocation | undefined;

  heading(level: number, text: string, location?: SectionLocation): void {
    this.flush();
    const clean = collapse(text);
    if (clean === '') return;
    this.headingPath = [...this.headingPath.slice(0, Math.max(0, level - 1)), clean];
    this.location = location;
  }

  /** The lines that follow are at `location` (a PDF page): the section is cut there when it moves. */
  at(location: SectionLocation): void {
    if (sameLocation(this.location, location)) return;
    this.flush();
    this.location = location;
  }

  line(text: string): void {
    const clean = text.replace(/[ \t\u00a0]+/g, ' ').trim();
    if (clean !== '') this.lines.push(clean);
  }

  /** The first heading, used as the title when the document names none. */
  get firstHeading(): string | null {
    return this.sections.find((section) => section.headingPath.length > 0)?.headingPath[0] ?? this.headingPath[0] ?? null;
  }

  build(): Section[] {
    this.flush();
    return this.sections;
  }

  private flush(): void {
    if (this.lines.length > 0) {
      const section: Section = { headingPath: this.headingPath, text: this.lines.join('\n') };
      if (this.location && Object.keys(this.location).length > 0) section.location = { ...this.location };
      this.sections.push(section);
    }
    this.lines = [];
  }
}

function sameLocation(a: SectionLocation | undefined, b: SectionLocation | undefined): boolean {
  return a?.anchor === b?.anchor && a?.page === b?.page && a?.slide === b?.slide && a?.sheet === b?.sheet;
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** One table row as readable text: "Header: value; Header: value", or cells joined by " | ". */
export function tableRow(headers: string[], cells: string[]): string {
  const values = cells.map(collapse);
  if (headers.length === values.length && headers.some((header) => header !== '')) {
    return values
      .map((value, i) => (headers[i] ? `${headers[i]}: ${value}` : value))
      .filter((pair, i) => values[i] !== '' && pair !== '')
      .join('; ');
  }
  return values.filter((value) => value !== '').join(' | ');
}
