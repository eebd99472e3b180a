import { decodeText, SectionBuilder, type ParsedDocument } from './parsed-document.js';

export function parseText(bytes: Buffer): ParsedDocument {
  const builder = new SectionBuilder();
  for (const line of decodeText(bytes).split(/\r?\n/)) builder.line(line);
  return { title: null, sections: builder.build() };
}
