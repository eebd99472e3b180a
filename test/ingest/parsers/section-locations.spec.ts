import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Section } from '../../../src/domain.js';
import { parseConfluencePage, parseXmlExportPage } from '../../../src/ingest/parsers/confluence-page.js';
import { readXmlExport } from '../../../src/ingest/parsers/confluence-xml-export.js';
import { parseDocx } from '../../../src/ingest/parsers/docx-parser.js';
import { ConfluenceHeadingIds, HeadingSlugger } from '../../../src/ingest/parsers/heading-anchors.js';
import { parseHtml } from '../../../src/ingest/parsers/html-parser.js';
import { parseMarkdown } from '../../../src/ingest/parsers/markdown-parser.js';
import { parsePdf } from '../../../src/ingest/parsers/pdf-parser.js';
import { parsePptx } from '../../../src/ingest/parsers/pptx-parser.js';
import { parseXlsx } from '../../../src/ingest/parsers/xlsx-parser.js';
import { sharedData } from '../../helpers.js';
import { docxFile, pptxFile, xlsxFile } from '../../office-fixtures.js';
import { multiPagePdf } from '../location-fixtures.js';

const located = (sections: Section[]) => sections.map((s) => [s.headingPath.at(-1) ?? '', s.location ?? null]);
const md = (text: string) => located(parseMarkdown(Buffer.from(text)).sections);

describe('section locations', () => {
  describe('Markdown heading slugs (as GitHub makes them)', () => {
    it('lower-cases, drops punctuation except - and _, turns each space into -', () => {
      assert.deepEqual(md('# Annual Leave\n\nText.\n\n## What is it? (v2.0)\n\nText.\n\n## snake_case & kebab-case\n\nText.'), [
        ['Annual Leave', { anchor: 'annual-leave' }],
        ['What is it? (v2.0)', { anchor: 'what-is-it-v20' }],
        ['snake_case & kebab-case', { anchor: 'snake_case--kebab-case' }],
      ]);
    });

    it('numbers repeated headings -1, -2…, keeps Chinese, drops emoji', () => {
      assert.deepEqual(md('## FAQ\n\nA.\n\n## FAQ\n\nB.\n\n## FAQ\n\nC.\n\n## 年假 政策\n\nD.\n\n## 😄 Emoji\n\nE.'), [
        ['FAQ', { anchor: 'faq' }],
        ['FAQ', { anchor: 'faq-1' }],
        ['FAQ', { anchor: 'faq-2' }],
        ['年假 政策', { anchor: '年假-政策' }],
        ['😄 Emoji', { anchor: '-emoji' }],
      ]);
    });

    it('slugs the heading text without its markup, and takes an explicit {#id} as it is', () => {
      assert.deepEqual(md('## The **VPN** `wg` [guide](http://x)\n\nA.\n\n## Freeze windows {#freeze}\n\nB.'), [
        ['The VPN wg guide', { anchor: 'the-vpn-wg-guide' }],
        ['Freeze windows', { anchor: 'freeze' }],
      ]);
    });

    it('gives text before the first heading no location', () => {
      assert.deepEqual(md('Intro.\n\n# Leave\n\nText.'), [
        ['', null],
        ['Leave', { anchor: 'leave' }],
      ]);
    });

    it('HeadingSlugger does not hand out a slug an earlier one took (foo-1 then foo, foo)', () => {
      const slugger = new HeadingSlugger();
      assert.deepEqual(['foo-1', 'foo', 'foo'].map((text) => slugger.slug(text)), ['foo-1', 'foo', 'foo-2']);
    });
  });

  describe('HTML', () => {
    it("locates a heading's section at its id, or an <a name>/id inside it; none without", () => {
      const doc = parseHtml(
        Buffer.from('<h1 id="laptops">Laptops</h1><p>One each.</p><h2><a name="models"></a>Models</h2><p>Two.</p><h2><span id="x-returns">Returns</span></h2><p>Three.</p><h2>Plain</h2><p>Four.</p>'),
      );
      assert.deepEqual(located(doc.sections), [
        ['Laptops', { anchor: 'laptops' }],
        ['Models', { anchor: 'models' }],
        ['Returns', { anchor: 'x-returns' }],
        ['Plain', null],
      ]);
    });

    it('gives Word headings no location (their bookmarks are not on any web page)', async () => {
      const doc = await parseDocx(await docxFile());
      assert.ok(doc.sections.every((s) => s.location === undefined));
    });
  });

  describe('Confluence', () => {
    const demo = path.join(sharedData, 'confluence/html-export/coding-cli/space1-demo');

    it('takes the heading ids a real HTML space export renders', function () {
      const file = path.join(demo, 'image-demo_65619.html');
      if (!fs.existsSync(file)) this.skip();
      const doc = parseConfluencePage(fs.readFileSync(file), '65619', 'https://wiki.example.com');
      const anchors = doc.sections.map((s) => s.location?.anchor).filter(Boolean);
      assert.deepEqual(anchors, ['helloworld-第一章', 'helloworld-1.1WhatisLoremIpsum?', 'helloworld-1.2Whydoweuseit?', 'helloworld-第二章']);
    });

    it('locates the sections of another real export page at their ids', function () {
      const file = path.join(demo, '65591.html');
      if (!fs.existsSync(file)) this.skip();
      const doc = parseConfluencePage(fs.readFileSync(file), '65591', null);
      assert.ok(doc.sections.some((s) => s.location?.anchor === 'Demo-Quicknavigation'));
    });

    it("makes the ids Confluence renders from an XML export page's title and headings", function () {
      const entities = path.join(sharedData, 'confluence/xml-export/xwiki-contrib-confluence/confluence-5.9-site-export/entities.xml');
      if (!fs.existsSync(entities)) this.skip();
      const page = readXmlExport(fs.readFileSync(entities, 'utf8')).pages.find((p) => p.title === 'A quick look at the editor (step 2 of 9)')!;
      const doc = parseXmlExportPage(Buffer.from(JSON.stringify(page)));
      const toolbar = doc.sections.find((s) => s.headingPath.at(-1) === 'Editor toolbar')!;
      assert.deepEqual(toolbar.location, { anchor: 'Aquicklookattheeditor(step2of9)-Editortoolbar' });
    });

    it('agrees with the ids of the sample HTML export, and numbers repeated headings .1, .2', () => {
      const ids = new ConfluenceHeadingIds('Release Process');
      assert.deepEqual(['Release calendar', 'Freeze windows', 'Hotfixes', 'Hotfixes', 'Hotfixes'].map((text) => ids.id(text)), [
        'ReleaseProcess-Releasecalendar',
        'ReleaseProcess-Freezewindows',
        'ReleaseProcess-Hotfixes',
        'ReleaseProcess-Hotfixes.1',
        'ReleaseProcess-Hotfixes.2',
      ]);
    });
  });

  describe('PDF, PowerPoint and Excel', () => {
    it('cuts PDF sections at page breaks, each at the page its text is on', async () => {
      const doc = await parsePdf(await multiPagePdf());
      assert.deepEqual(
        doc.sections.map((s) => [s.headingPath.join(' > '), s.text, s.location]),
        [
          ['Booking travel', 'Book trains for trips under five hours.', { page: 1 }],
          ['Booking travel', 'Flights are economy class as a rule.\nReceipts go to the travel desk.', { page: 2 }],
          ['Per diem', 'Meals are paid at 40 EUR a day.', { page: 3 }],
        ],
      );
    });

    it('locates each slide by its number and each sheet by its name', async () => {
      assert.deepEqual(located((await parsePptx(await pptxFile())).sections), [
        ['Phishing', { slide: 1 }],
        ['Slide 2', { slide: 2 }],
      ]);
      assert.deepEqual(located((await parseXlsx(await xlsxFile())).sections), [['Offices', { sheet: 'Offices' }]]);
    });
  });
});
