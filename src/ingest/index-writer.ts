// Writes parsed documents to the passage index and the catalogue. With an embedder, documents wait
// in a buffer until enough passages have gathered for full embedding requests; each document is
// then written with its vectors. A passage whose embedding input is already in the index reuses
// its vector.
import { createHash } from 'node:crypto';
import type { Chunk, SourceDocument } from '../domain.js';
import { toGroundworkError } from '../errors.js';
import type { DocumentCatalogue } from '../index/catalogue.js';
import type { Atomically, IndexedChunk, PassageIndex, VectorSpace } from '../index/passage-index.js';
import type { Embedder } from '../llm/embedder.js';
import type { Logger } from '../logger.js';

/** What is embedded for a passage: its text under its document title and headings. */
export function embeddingInput(title: string, chunk: Pick<Chunk, 'headingPath' | 'text'>): string {
  const headings = chunk.headingPath.filter((heading) => heading !== title).join(' > ');
  return [title, headings, chunk.text].filter((part) => part !== '').join('\n');
}

/**
 * Part of what the sync compares with a document's stored hash: the embedding model, so that
 * turning embeddings on or changing the model redoes every document of a source.
 */
export function embeddingState(embedder: Embedder | null): string {
  return embedder ? `${embedder.model}/${embedder.dimensions ?? 'default'}` : 'none';
}

/** Where documents are written: the passage index and the catalogue that says which version is current. */
export interface DocumentStores {
  index: PassageIndex;
  catalogue: DocumentCatalogue;
  /** Groups one replacement's steps where the stores can (one SQLite transaction); optional. */
  atomically?: Atomically;
}

/** A document to write: what the index shows of it and the hash the catalogue compares. */
export type WrittenDocument = Omit<SourceDocument, 'sections'>;

const asItComes: Atomically = (work) => work();

/**
 * Replaces a document under a new version, by the protocol of PassageIndex: (1) the index writes
 * the new version's chunks beside the current ones, (2) the catalogue makes the new version
 * current with its content hash and embedding flag — the commit point, before which readers
 * see only the old version and after which only the new — (3) the index deletes the other
 * versions. `needsEmbedding`: written without the vectors it should have.
 */
export async function replaceDocument(
  { index, catalogue, atomically = asItComes }: DocumentStores,
  { contentHash, ...document }: WrittenDocument,
  chunks: IndexedChunk[],
  options: { space?: VectorSpace; needsEmbedding?: boolean } = {},
): Promise<void> {
  await atomically(async () => {
    // One sync at a time (the lock), so the next number is free; a version written by an
    // interrupted sync and never committed is overwritten.
    const version = ((await catalogue.currentVersions([document.id])).get(document.id) ?? 0) + 1;
    await index.writeVersion(document, version, chunks, options.space);
    await catalogue.commitVersion({ id: document.id, source: document.source, path: document.path, contentHash }, version, options.needsEmbedding ?? false);
    await index.deleteOtherVersions(document.id, version);
  });
}

/** Deletes documents: the catalogue forgets them first, so that readers stop seeing them at once. */
export async function deleteDocuments({ index, catalogue, atomically = asItComes }: DocumentStores, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await atomically(async () => {
    await catalogue.forgetDocuments(ids);
    await index.deleteDocuments(ids);
  });
}

export interface EmbeddingStats {
  /** Passages sent to the embedding model, and passages whose vector was already in the index. */
  embedded: number;
  reused: number;
  /** Why passages were indexed without vectors (the embedding model failed), if they were. */
  error: string | null;
}

interface Pending {
  document: WrittenDocument;
  chunks: Chunk[];
  inputs: Array<{ text: string; hash: string }>;
}

export class IndexWriter {
  readonly stats: EmbeddingStats = { embedded: 0, reused: 0, error: null };
  private pending: Pending[] = [];
  /** Vectors of pending documents' inputs, by input hash, made or found so far. */
  private ready = new Map<string, Float32Array>();

  constructor(
    private readonly stores: DocumentStores,
    private readonly embedder: Embedder | null,
    private readonly logger: Logger,
  ) {}

  /** Writes the document now, or with the next batch of embeddings. */
  async write(document: WrittenDocument, chunks: Chunk[]): Promise<void> {
    if (!this.embedder) return replaceDocument(this.stores, document, chunks);
    const inputs = chunks.map((chunk) => {
      const text = embeddingInput(document.title, chunk);
      return { text, hash: createHash('sha256').update(text).digest('hex').slice(0, 32) };
    });
    this.pending.push({ document, chunks, inputs });
    const waiting = this.pending.reduce((sum, item) => sum + item.inputs.length, 0);
    if (waiting >= this.embedder.batchInputs * this.embedder.concurrency) await this.embedAndWrite(false);
  }

  /** Embeds and writes every waiting document. */
  flush(): Promise<void> {
    return this.embedAndWrite(true);
  }

  /**
   * Embeds what the waiting documents lack — only whole requests' worth unless this is the last
   * call — then writes each document whose vectors are all there.
   */
  private async embedAndWrite(last: boolean): Promise<void> {
    const embedder = this.embedder;
    if (!embedder || this.pending.length === 0) return;
    const unknown = new Set(this.pending.flatMap((item) => item.inputs.map((input) => input.hash)).filter((hash) => !this.ready.has(hash)));
    for (const [hash, vector] of await this.stores.index.storedVectors([...unknown])) this.ready.set(hash, vector);
    this.stats.reused += this.pending.flatMap((item) => item.inputs).filter((input) => unknown.has(input.hash) && this.ready.has(input.hash)).length;

    const missing = new Map<string, string>();
    for (const item of this.pending) for (const input of item.inputs) if (!this.ready.has(input.hash)) missing.set(input.hash, input.text);
    const take = last ? missing.size : Math.floor(missing.size / embedder.batchInputs) * embedder.batchInputs;
    // After one failure (retries included) the rest of the sync goes without: each further
    // attempt would only wait out the same retries.
    if (take > 0 && this.stats.error === null) {
      const batch = [...missing].slice(0, take);
      try {
        const made = await embedder.embedDocuments(batch.map(([, text]) => text));
        batch.forEach(([hash], i) => this.ready.set(hash, made[i]!));
        this.stats.embedded += batch.length;
      } catch (error) {
        this.stats.error = toGroundworkError(error).message;
        this.logger.error({ err: error }, 'embedding failed: documents are indexed for keyword search only until the next sync');
      }
    }

    const waiting: Pending[] = [];
    for (const item of this.pending) {
      const complete = item.inputs.every((input) => this.ready.has(input.hash));
      if (complete) await this.writeWithVectors(item, embedder);
      else if (last || this.stats.error !== null) {
        // Without every vector, none are written, and the flag makes the next sync embed the
        // document again.
        await replaceDocument(this.stores, item.document, item.chunks, { needsEmbedding: true });
      } else waiting.push(item);
    }
    this.pending = waiting;
    const needed = new Set(waiting.flatMap((item) => item.inputs.map((input) => input.hash)));
    for (const hash of this.ready.keys()) if (!needed.has(hash)) this.ready.delete(hash);
  }

  private async writeWithVectors({ document, chunks, inputs }: Pending, embedder: Embedder): Promise<void> {
    const embedded: IndexedChunk[] = chunks.map((chunk, i) => ({ ...chunk, embedding: { inputHash: inputs[i]!.hash, vector: this.ready.get(inputs[i]!.hash)! } }));
    const dimensions = embedded[0]?.embedding?.vector.length ?? 0;
    await replaceDocument(this.stores, document, embedded, { space: { model: embedder.model, dimensions } });
  }
}
