import { DocumentUnreadableError } from '../../errors.js';
import type { ZipLimits } from '../zip-limits.js';
import { loadXml } from './markup.js';
import { defaultOfficeLimits, unpackOffice } from './office-zip.js';
import { collapse, refuseCompoundFile, SectionBuilder, type ParsedDocument } from './parsed-document.js';

/** PowerPoint (.pptx): one section per slide, headed by the slide's title, its text in order. */
export async function parsePptx(bytes: Buffer, limits: ZipLimits = defaultOfficeLimits): Promise<ParsedDocument> {
  refuseCompoundFile(bytes, 'PowerPoint');
  const { parts, warnings } = await unpackOffice(bytes, limits, 'PowerPoint presentation');
  const slides = [...parts.keys()]
    .filter((name) => /^ppt\/slides\/slide\d+\.xml$/.test(name))
    .sort((a, b) => Number(/(\d+)\.xml$/.exec(a)![1]) - Number(/(\d+)\.xml$/.exec(b)![1]));
  if (slides.length === 0) throw new DocumentUnreadableError('it is not a valid PowerPoint presentation (no slides)');
  const builder = new SectionBuilder();
  let firstTitle: string | null = null;
  for (const [i, name] of slides.entries()) {
    const $ = loadXml(parts.get(name)!.toString('utf8'));
    const shapes = $('p\\:sp').toArray();
    const isTitle = (shape: (typeof shapes)[number]) => /^(title|ctrTitle)$/.test($(shape).find('p\\:nvPr p\\:ph').attr('type') ?? '');
    const paragraphs = (shape: (typeof shapes)[number]) =>
      $(shape)
        .find('a\\:p')
        .toArray()
        .map((p) => collapse($(p).find('a\\:t').toArray().map((t) => $(t).text()).join('')))
        .filter((text) => text !== '');
    const title = shapes.filter(isTitle).flatMap(paragraphs).join(' ');
    firstTitle ??= title || null;
    builder.heading(1, title || `Slide ${i + 1}`, { slide: i + 1 });
    for (const shape of shapes.filter((shape) => !isTitle(shape))) for (const text of paragraphs(shape)) builder.line(text);
  }
  const core = parts.get('docProps/core.xml');
  const documentTitle = core ? collapse(loadXml(core.toString('utf8'))('dc\\:title').text()) : '';
  return { title: documentTitle || firstTitle, sections: builder.build(), warnings };
}
