import assert from 'node:assert/strict';
import { parseDocx } from '../../../src/ingest/parsers/docx-parser.js';
import { parsePdf } from '../../../src/ingest/parsers/pdf-parser.js';
import { parsePptx } from '../../../src/ingest/parsers/pptx-parser.js';
import { parseXlsx } from '../../../src/ingest/parsers/xlsx-parser.js';
import { DocumentTooLargeError } from '../../../src/errors.js';
import { defaultOfficeLimits } from '../../../src/ingest/parsers/office-zip.js';
import { compoundFile, docxFile, encryptedPdfFile, inflatingDocx, pdfFile, pptxFile, scannedPdfFile, withParts, xlsxFile } from '../../office-fixtures.js';
import { understateSizes } from '../../zip-fixtures.js';

const flat = (doc: { sections: Array<{ headingPath: string[]; text: string }> }) => doc.sections.map((s) => [s.headingPath.join(' > '), s.text]);

describe('Office and PDF parsers', () => {
  it('reads Word headings, paragraphs and tables', async () => {
    const doc = await parseDocx(await docxFile());
    assert.equal(doc.title, 'Expense policy');
    assert.deepEqual(flat(doc), [
      ['Expense policy', 'Submit every expense within 30 days.'],
      ['Expense policy > Limits', 'Expense: Hotel; Limit: 150 EUR per night\nReceipts are required for amounts over 25 EUR.'],
    ]);
  });

  it('reads Excel sheets as headed rows and leaves hidden sheets out', async () => {
    const doc = await parseXlsx(await xlsxFile());
    assert.equal(doc.title, 'Office directory');
    assert.deepEqual(flat(doc), [
      ['Offices', 'City: Berlin; Address: Torstraße 1; Reception: ext. 100\nCity: Shanghai; Address: 南京西路 1266 号; Reception: ext. 800'],
    ]);
  });

  it('reads PowerPoint slides in order, titled', async () => {
    const doc = await parsePptx(await pptxFile());
    assert.equal(doc.title, 'Security training');
    const sections = flat(doc);
    assert.deepEqual(sections[0], ['Phishing', 'Report phishing with the Report button in Outlook.']);
    assert.deepEqual(sections[1], ['Slide 2', 'Lost devices\nReport a lost laptop within one hour.']);
  });

  it('reads PDF text in order, joins wrapped lines and takes large lines for headings', async () => {
    const doc = await parsePdf(await pdfFile());
    assert.equal(doc.title, 'Travel guide');
    assert.deepEqual(flat(doc), [['Booking travel', 'Book trains for trips under five hours.\nFlights are economy class as a rule.']]);
  });

  it('says why a file cannot be read: password, corruption, no text layer', async () => {
    await assert.rejects(parsePdf(encryptedPdfFile()), /it is password-protected/);
    await assert.rejects(parsePdf(Buffer.from('%PDF-1.7 garbage')), /it is not a valid PDF/);
    await assert.rejects(parsePdf(await scannedPdfFile()), /no text layer \(a scanned PDF\?\)/);
    for (const parse of [parseDocx, parseXlsx, parsePptx]) {
      await assert.rejects(Promise.resolve().then(() => parse(compoundFile)), /it is password-protected/);
      await assert.rejects(Promise.resolve().then(() => parse(Buffer.from('PK not really a zip'))), /it is not a valid (Word document|Excel workbook|PowerPoint presentation)/);
    }
  });

  describe('zip bombs inside Office files', () => {
    const bomb = (pattern: RegExp) => (error: unknown) => error instanceof DocumentTooLargeError && pattern.test(error.message);

    it('refuses a Word file whose document.xml inflates to 280 MB, before inflating it', async () => {
      const file = await inflatingDocx(280);
      assert.ok(file.length < 1024 * 1024, `the bomb is ${file.length} bytes`);
      await assert.rejects(parseDocx(file), bomb(/its part word\/document\.xml has a compression ratio of \d+:1; refused as a possible zip bomb/));
    });

    it('counts the bytes as they inflate, so parts whose headers understate their size are refused too', async () => {
      const lying = understateSizes(await inflatingDocx(280));
      await assert.rejects(parseDocx(lying), bomb(/its part \S+ unpacks to more than its header says; refused as a possible zip bomb/));
    });

    it('applies the entry-count, total-size and ratio limits to Word, PowerPoint and Excel files alike', async () => {
      const filler = { name: 'docProps/filler.xml', content: Buffer.alloc(5 * 1024 * 1024, 0x20) };
      for (const [parse, file] of [[parseDocx, await docxFile()], [parsePptx, await pptxFile()], [parseXlsx, await xlsxFile()]] as const) {
        await assert.rejects(parse(await withParts(file, [filler])), bomb(/its part docProps\/filler\.xml has a compression ratio of \d+:1/));
        await assert.rejects(parse(file, { ...defaultOfficeLimits, maxEntries: 3 }), bomb(/it holds more than 3 parts/));
        await assert.rejects(parse(await withParts(file, [{ ...filler, compress: false }]), { ...defaultOfficeLimits, maxTotalBytes: 2 * 1024 * 1024 }), bomb(/its parts unpack to more than 2 MB/));
        assert.ok((await parse(file)).sections.length > 0, 'within the limits it reads as before');
      }
    });

    it('reads the first of two parts with one name, and says so', async () => {
      const doc = await parseDocx(await withParts(await docxFile(), [{ name: 'word/document.xml', content: '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Planted.</w:t></w:r></w:p></w:body></w:document>' }]));
      assert.equal(doc.title, 'Expense policy');
      assert.doesNotMatch(flat(doc).join(' '), /Planted/);
      assert.deepEqual(doc.warnings, ['it holds two parts named word/document.xml; the first one is read']);
    });
  });
});
