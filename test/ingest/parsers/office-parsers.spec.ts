import assert from 'node:assert/strict';
import { parseDocx } from '../../../src/ingest/parsers/docx-parser.js';
import { parsePdf } from '../../../src/ingest/parsers/pdf-parser.js';
import { parsePptx } from '../../../src/ingest/parsers/pptx-parser.js';
import { parseXlsx } from '../../../src/ingest/parsers/xlsx-parser.js';
import { compoundFile, docxFile, encryptedPdfFile, pdfFile, pptxFile, scannedPdfFile, xlsxFile } from '../../office-fixtures.js';

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
});
