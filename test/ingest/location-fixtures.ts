// Documents whose sections are in known places, for the tests of section locations.
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A PDF of three pages: a heading on page 1 whose text runs on to page 2, and a heading of its own on page 3. */
export async function multiPagePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const first = doc.addPage();
  first.drawText('Booking travel', { x: 50, y: 720, size: 22, font });
  first.drawText('Book trains for trips under five hours.', { x: 50, y: 690, size: 11, font });
  const second = doc.addPage();
  second.drawText('Flights are economy class as a rule.', { x: 50, y: 720, size: 11, font });
  second.drawText('Receipts go to the travel desk.', { x: 50, y: 700, size: 11, font });
  const third = doc.addPage();
  third.drawText('Per diem', { x: 50, y: 720, size: 22, font });
  third.drawText('Meals are paid at 40 EUR a day.', { x: 50, y: 690, size: 11, font });
  return Buffer.from(await doc.save());
}
