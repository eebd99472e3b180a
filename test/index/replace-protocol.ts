// The replacement protocol of PassageIndex, checked through the interfaces alone, so that every
// passage index runs the same check with the catalogue it pairs with: readers see a document's
// current version only, whichever step of a replacement the writer has reached.
import assert from 'node:assert/strict';
import type { Chunk } from '../../src/domain.js';
import type { DocumentCatalogue } from '../../src/index/catalogue.js';
import type { IndexedChunk, IndexedDocument, PassageIndex } from '../../src/index/passage-index.js';
import { distinctTerms } from '../../src/retrieval/tokenize.js';

export interface ProtocolStores {
  index: PassageIndex;
  catalogue: DocumentCatalogue;
  close(): void | Promise<void>;
}

const space = { model: 'protocol-check', dimensions: 3 };

const document = (id: string, title: string): IndexedDocument => ({
  id,
  source: 'docs',
  path: `${id}.md`,
  title,
  url: null,
  updatedAt: null,
  author: null,
  labels: [],
  superseded: false,
readers: ['everyone'],
});

const chunk = (documentId: string, position: number, text: string, vector: number[]): IndexedChunk & Chunk => ({
  id: `${documentId}:${position}`,
  documentId,
  position,
  headingPath: [],
  text,
  tokenCount: 8,
  contentHash: `${documentId}:${position}:${text}`,
  embedding: { inputHash: `input:${text}`, vector: new Float32Array(vector) },
});

const catalogued = (id: string, contentHash: string) => ({ id, source: 'docs', path: `${id}.md`, contentHash });

/** Registers the protocol's checks (mocha) for the stores `open` makes, fresh for each check. */
export function checkReplaceProtocol(open: () => Promise<ProtocolStores>): void {
  let stores: ProtocolStores;
  beforeEach(async () => {
    stores = await open();
  });
  afterEach(() => stores.close());

  /** What each kind of reader sees of the leave policy. */
  const seen = async () => {
    const { index } = stores;
    const byTerms = async (words: string) => (await index.search({ terms: distinctTerms(words), limit: 10, readers: ['everyone'] })).map((hit) => hit.chunk.text);
    return {
      oldWords: await byTerms('carry over'),
      newWords: await byTerms('parental thirty'),
      nearest: (await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 10, readers: ['everyone'] })).map((hit) => hit.chunk.text),
      document: (await index.documentChunks('leave', ['everyone']))?.chunks.map((c) => c.text) ?? null,
      title: (await index.documentChunks('leave', ['everyone']))?.document.title ?? null,
    };
  };

  const oldText = 'Up to five days carry over to the next year.';
  const newText = 'Parents get thirty days of parental leave.';

  async function writeFirstVersion(): Promise<void> {
    await stores.index.writeVersion(document('leave', 'Leave 2025'), 1, [chunk('leave', 0, oldText, [1, 0, 0])], space);
    await stores.catalogue.commitVersion(catalogued('leave', 'old'), 1, false);
    await stores.index.deleteOtherVersions('leave', 1);
  }

  it('between writing a new version and making it current, readers see only the old version', async () => {
    await writeFirstVersion();
    await stores.index.writeVersion(document('leave', 'Leave 2026'), 2, [chunk('leave', 0, newText, [1, 0.1, 0])], space);
    assert.deepEqual(await seen(), { oldWords: [oldText], newWords: [], nearest: [oldText], document: [oldText], title: 'Leave 2025' });

    await stores.catalogue.commitVersion(catalogued('leave', 'new'), 2, false);
    const switched = { oldWords: [], newWords: [newText], nearest: [newText], document: [newText], title: 'Leave 2026' };
    assert.deepEqual(await seen(), switched, 'once current, only the new version, before the old one is deleted');
    assert.equal((await stores.catalogue.currentVersions(['leave'])).get('leave'), 2);

    await stores.index.deleteOtherVersions('leave', 2);
    assert.deepEqual(await seen(), switched);
    assert.equal(await stores.index.chunkCount(), 1, 'the old version is gone');
  });

  it('shows no version of a new document before the catalogue makes one current', async () => {
    await stores.index.writeVersion(document('leave', 'Leave 2025'), 1, [chunk('leave', 0, oldText, [1, 0, 0])], space);
    assert.deepEqual(await seen(), { oldWords: [], newWords: [], nearest: [], document: null, title: null });
    await stores.catalogue.commitVersion(catalogued('leave', 'old'), 1, false);
    assert.deepEqual((await seen()).document, [oldText]);
  });

  it('hides a document as soon as the catalogue forgets it, before its chunks are deleted', async () => {
    await writeFirstVersion();
    await stores.catalogue.forgetDocuments(['leave']);
    assert.deepEqual(await seen(), { oldWords: [], newWords: [], nearest: [], document: null, title: null });
    await stores.index.deleteDocuments(['leave']);
    assert.equal(await stores.index.chunkCount(), 0);
  });

  it('writes a version again over what an interrupted write left of it', async () => {
    await writeFirstVersion();
    // An interrupted sync wrote version 2 and never made it current; the next one writes it anew.
    await stores.index.writeVersion(document('leave', 'Leave draft'), 2, [chunk('leave', 0, 'Draft text.', [0, 1, 0]), chunk('leave', 1, 'More draft.', [0, 0, 1])], space);
    await stores.index.writeVersion(document('leave', 'Leave 2026'), 2, [chunk('leave', 0, newText, [1, 0.1, 0])], space);
    await stores.catalogue.commitVersion(catalogued('leave', 'new'), 2, false);
    await stores.index.deleteOtherVersions('leave', 2);
    assert.deepEqual(await seen(), { oldWords: [], newWords: [newText], nearest: [newText], document: [newText], title: 'Leave 2026' });
    assert.equal(await stores.index.chunkCount(), 1);
    assert.equal(await stores.index.vectorCount(), 1);
  });
}
