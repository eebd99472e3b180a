// A document whose link is an attack, written straight into a running service's index (as if an
// export had carried it past ingest), and the question it answers: each channel must show the
// answer without the link.
import { replaceDocument, type DocumentStores } from '../src/ingest/index-writer.js';

export const plantedQuestion = 'What is the zebra crossing stipend?';

export async function plantDocument(stores: DocumentStores, url: string): Promise<{ id: string; title: string }> {
  const id = 'planted0000000000000000000000001';
  const title = 'Zebra crossing stipend';
  await replaceDocument(
    stores,
    { id, source: 'intranet', path: 'benefits/zebra.aspx', title, url, updatedAt: new Date('2026-02-03T00:00:00Z'), author: null, labels: [], superseded: false, readers: ['everyone'], contentHash: `planted-${url}` },
    [
      {
        id: `${id}:0`,
        documentId: id,
        position: 0,
        headingPath: ['Zebra crossing stipend'],
        text: 'The zebra crossing stipend is 40 euros a month for every employee who walks to the office.',
        tokenCount: 20,
        contentHash: `planted-chunk-${url}`,
      },
    ],
  );
  return { id, title };
}
