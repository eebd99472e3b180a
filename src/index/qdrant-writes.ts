// What the index and a re-index both do to a collection: check and write a document's version
// (the collection's vector space set or checked first), and read each current document's access.
import type { DocumentCatalogue } from './catalogue.js';
import { InternalError, ReindexRequiredError } from '../errors.js';
import type { CollectionSchema, QdrantCollection } from './qdrant-collection.js';
import type { QdrantPassages, StoredAccess } from './qdrant-passages.js';
import { spaceKey } from './qdrant-points.js';
import type { DocumentAccess, IndexedChunk, IndexedDocument, VectorSpace } from './passage-index.js';

/** A collection as the index uses it: its points, its schema handling, its checked schema. */
export interface OpenCollection {
  passages: QdrantPassages;
  collection: QdrantCollection;
  schema: CollectionSchema;
  /** The vector space this collection was found to hold, once checked: a collection's space never changes. */
  checkedSpace?: string;
}

/** Checks a version's chunks; true when they have vectors. */
export function checkChunks(document: IndexedDocument, chunks: IndexedChunk[], space: VectorSpace | undefined): boolean {
  const withVectors = chunks.some((chunk) => chunk.embedding);
  if (withVectors && !space) throw new InternalError('chunks with vectors need their vector space');
  const ids = new Set<string>();
  for (const chunk of chunks) {
    if (ids.has(chunk.id)) throw new InternalError(`two chunks of document ${document.id} have the id ${chunk.id}`);
    ids.add(chunk.id);
  }
  return withVectors;
}

/** Writes a version into one collection, setting (or checking) its vector space first. */
export async function writeInto(target: OpenCollection, document: IndexedDocument, version: number, chunks: IndexedChunk[], space: VectorSpace | undefined) {
  if (space) await useVectorSpace(target, space);
  return target.passages.writeVersion(document, version, chunks, space);
}

/** Sets the space of a collection's first vectors; refuses vectors of another space. */
async function useVectorSpace(open: OpenCollection, space: VectorSpace): Promise<void> {
  if (open.checkedSpace === spaceKey(space)) return;
  const { passages, collection, schema } = open;
  const record = await passages.readRecord();
  const current = record?.vector_space ?? null;
  if (current && (current.model !== space.model || current.dimensions !== space.dimensions)) {
    throw new ReindexRequiredError(
      `the index holds vectors of ${describeSpace(current)}, not of ${describeSpace(space)}: run "groundwork sync --reindex" to embed every passage again`,
    );
  }
  collection.checkVectors(schema, space);
  if (!current) await passages.updateRecord({ vector_space: space });
  open.checkedSpace = spaceKey(space);
}

/** Each current document's access, once, from what a collection stores. */
export async function currentAccess(stored: StoredAccess, catalogue: Pick<DocumentCatalogue, 'currentVersions'>): Promise<DocumentAccess[]> {
  const current = await catalogue.currentVersions([...stored.keys()]);
  const access: DocumentAccess[] = [];
  for (const [id, versions] of stored) {
    const held = versions.get(current.get(id) ?? -1);
    if (held) access.push(held);
  }
  return access.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function describeSpace(space: VectorSpace): string {
  return `the embedding model "${space.model}" (${space.dimensions} dimensions)`;
}
