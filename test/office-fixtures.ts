// Real Office and PDF files, generated for tests with the libraries that write those formats.
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import JSZip from 'jszip';
import { Readable } from 'node:stream';
import PptxGenJS from 'pptxgenjs';
import { zipEntries, type ZipEntry } from './zip-fixtures.js';

export async function docxFile(): Promise<Buffer> {
  const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] });
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Expense policy', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ children: [new TextRun('Submit every expense within '), new TextRun({ text: '30 days', bold: true }), new TextRun('.')] }),
          new Paragraph({ text: 'Limits', heading: HeadingLevel.HEADING_2 }),
          new Table({
            rows: [
              new TableRow({ children: [cell('Expense'), cell('Limit')], tableHeader: true }),
              new TableRow({ children: [cell('Hotel'), cell('150 EUR per night')] }),
            ],
          }),
          new Paragraph({ text: 'Receipts are required for amounts over 25 EUR.', alignment: AlignmentType.LEFT }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

export async function xlsxFile(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.title = 'Office directory';
  const offices = workbook.addWorksheet('Offices');
  offices.addRow(['City', 'Address', 'Reception']);
  offices.addRow(['Berlin', 'Torstraße 1', 'ext. 100']);
  offices.addRow(['Shanghai', '南京西路 1266 号', 'ext. 800']);
  const hidden = workbook.addWorksheet('Salaries', { state: 'hidden' });
  hidden.addRow(['Name', 'Salary']);
  hidden.addRow(['Ana', '99999']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function pptxFile(): Promise<Buffer> {
  const pptx = new (PptxGenJS as unknown as new () => import('pptxgenjs').default)();
  pptx.title = 'Security training';
  pptx.defineSlideMaster({
    title: 'TITLED',
    objects: [{ placeholder: { options: { name: 'title', type: 'title', x: 0.5, y: 0.3, w: 9, h: 1 }, text: '' } }],
  });
  const first = pptx.addSlide({ masterName: 'TITLED' });
  first.addText('Phishing', { placeholder: 'title' });
  first.addText('Report phishing with the Report button in Outlook.', { x: 1, y: 2, w: 8, h: 1 });
  const untitled = pptx.addSlide();
  untitled.addText('Lost devices', { x: 1, y: 0.5, w: 8, h: 1 });
  untitled.addText('Report a lost laptop within one hour.', { x: 1, y: 2, w: 8, h: 1 });
  return (await pptx.write({ outputType: 'nodebuffer' })) as Buffer;
}

export async function pdfFile(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle('Travel guide');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage();
  page.drawText('Booking travel', { x: 50, y: 720, size: 22, font });
  page.drawText('Book trains for trips under five hours.', { x: 50, y: 690, size: 11, font });
  page.drawText('Flights are economy class as a', { x: 50, y: 670, size: 11, font });
  page.drawText('rule.', { x: 50, y: 655, size: 11, font });
  return Buffer.from(await doc.save());
}

export async function scannedPdfFile(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage();
  return Buffer.from(await doc.save());
}

/** A PDF whose /Encrypt dictionary needs a password nobody gave. */
export function encryptedPdfFile(): Buffer {
  const hex = (n: number) => 'ab'.repeat(n);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
    `<< /Filter /Standard /V 1 /R 2 /O <${hex(32)}> /U <${hex(32)}> /P -4 >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<${hex(16)}> <${hex(16)}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** The first bytes of an OLE compound file: what an encrypted .docx/.xlsx/.pptx really is. */
export const compoundFile = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);

/** A Word file whose document.xml inflates to `megabytes` MB of paragraphs (about 1 KB per MB when deflated): a zip bomb. */
export function inflatingDocx(megabytes: number, options: { compress?: boolean } = {}): Promise<Buffer> {
  const paragraph = '<w:p><w:r><w:t>This paragraph repeats until the part is very large.</w:t></w:r></w:p>';
  const block = Buffer.from(paragraph.repeat(Math.ceil((1024 * 1024) / paragraph.length)));
  const document = () =>
    Readable.from(
      (function* () {
        yield Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>');
        for (let i = 0; i < megabytes; i++) yield block;
        yield Buffer.from('</w:body></w:document>');
      })(),
    );
  return zipEntries([
    {
      name: '[Content_Types].xml',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    },
    { name: 'word/document.xml', content: document, compress: options.compress },
  ]);
}

/** An Office file with its parts as they are plus `extra` ones (after them, in order). */
export async function withParts(office: Buffer, extra: ZipEntry[]): Promise<Buffer> {
  const zip = await JSZip.loadAsync(office);
  const parts: ZipEntry[] = [];
  for (const file of Object.values(zip.files)) if (!file.dir) parts.push({ name: file.name, content: await file.async('nodebuffer') });
  return zipEntries([...parts, ...extra]);
}
