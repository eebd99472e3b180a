import * as cheerio from 'cheerio';
import type JSZip from 'jszip';
import { DocumentUnreadableError } from '../../errors.js';
import { collapse, refuseCompoundFile, SectionBuilder, type ParsedDocument } from './parsed-document.js';

/** PowerPoint (.pptx): one section per slide, headed by the slide's title, its text in order. */
export async function parsePptx(bytes: Buffer): Promise<ParsedDocument> {
  refuseCompoundFile(bytes, 'PowerPoint');
  let zip: JSZip;
  try {
    const { default: Zip } = await import('jszip'); // loaded only when a .pptx is met
    zip = await Zip.loadAsync(bytes);
  } catch (error) {
    throw new DocumentUnreadableError(`it is not a valid PowerPoint presentation (${(error as Error).message})`, error);
  }
  const slides = Object.keys(zip.files)
    .filter((name) => /^ppt\/slides\/slide\d+\.xml$/.test(name))
    .sort((a, b) => Number(/(\d+)\.xml$/.exec(a)![1]) - Number(/(\d+)\.xml$/.exec(b)![1]));
  if (slides.length === 0) throw new DocumentUnreadableError('it is not a valid PowerPoint presentation (no slides)');
  const builder = new SectionBuilder();
  let firstTitle: string | null = null;
  for (const [i, name] of slides.entries()) {
    const $ = cheerio.load(await zip.file(name)!.async('string'), { xml: true });
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
    builder.heading(1, title || `Slide ${i + 1}`);
    for (const shape of shapes.filter((shape) => !isTitle(shape))) for (const text of paragraphs(shape)) builder.line(text);
  }
  const core = await zip.file('docProps/core.xml')?.async('string');
  const documentTitle = core ? collapse(cheerio.load(core, { xml: true })('dc\\:title').text()) : '';
  return { title: documentTitle || firstTitle, sections: builder.build() };
}
