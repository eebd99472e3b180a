import { createRequire } from 'node:module';
import path from 'node:path';
import { DocumentUnreadableError, toGroundworkError } from '../../errors.js';
import { SectionBuilder, type ParsedDocument } from './parsed-document.js';

const standardFontDataUrl = `${path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

interface Line {
  text: string;
  size: number;
  /** 1-based page the line is on. */
  page: number;
}

/**
 * PDF: text in content order, lines joined into paragraphs; a line set clearly larger than the
 * body text is taken for a heading. Sections are cut at page breaks, each located at its page (a
 * paragraph running over a break stays whole, on the page it starts on).
 */
export async function parsePdf(bytes: Buffer): Promise<ParsedDocument> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let pdf;
  try {
    pdf = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      standardFontDataUrl,
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    if (error instanceof Error && error.name === 'PasswordException') throw new DocumentUnreadableError('it is password-protected', error);
    throw new DocumentUnreadableError(`it is not a valid PDF (${toGroundworkError(error).message})`, error);
  }
  try {
    const lines: Line[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      let current: Line = { text: '', size: 0, page: number };
      for (const item of content.items) {
        if (!('str' in item)) continue;
        current.text += item.str;
        current.size = Math.max(current.size, item.height);
        if (item.hasEOL) {
          lines.push(current);
          current = { text: '', size: 0, page: number };
        }
      }
      lines.push(current);
      page.cleanup();
    }
    const textLines = lines.map((line) => ({ ...line, text: line.text.replace(/\s+/g, ' ').trim() })).filter((line) => line.text !== '');
    if (textLines.length === 0) throw new DocumentUnreadableError('it has no text layer (a scanned PDF?); text in images is not read');
    const sizes = textLines.map((line) => line.size).sort((a, b) => a - b);
    const bodySize = sizes[Math.floor(sizes.length / 2)]!;
    const builder = new SectionBuilder();
    let paragraph = '';
    let paragraphPage = 1;
    const flush = () => {
      if (paragraph !== '') builder.at({ page: paragraphPage });
      builder.line(paragraph);
      paragraph = '';
    };
    for (const line of textLines) {
      if (line.size >= bodySize * 1.3 && line.text.length < 120) {
        flush();
        builder.heading(line.size >= bodySize * 1.7 ? 1 : 2, line.text, { page: line.page });
      } else {
        if (paragraph === '') paragraphPage = line.page;
        // Lines of one paragraph wrap; a line ending a sentence (or a CJK line) ends the paragraph here.
        paragraph += paragraph === '' || /[\p{Script=Han}]$/u.test(paragraph) ? line.text : ` ${line.text}`;
        if (/[.!?。！？:：]$/.test(line.text)) flush();
      }
    }
    flush();
    const metadata = await pdf.getMetadata().catch(() => null);
    const infoTitle = (metadata?.info as { Title?: unknown } | undefined)?.Title;
    return { title: typeof infoTitle === 'string' && infoTitle.trim() !== '' ? infoTitle.trim() : builder.firstHeading, sections: builder.build() };
  } finally {
    await pdf.destroy();
  }
}
