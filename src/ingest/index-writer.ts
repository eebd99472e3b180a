// Writes parsed documents to the index. With an embedder, documents wait in a buffer until enough
// passages have gathered for full embedding requests; each document is then written with its
// vectors in one step. A passage whose embedding input is already in the index reuses its vector.
import { createHash } from 'node:crypto';
import type { Chunk } from '../domain.js';
import type { IndexedChunk, IndexedDocument, PassageIndex } from '../index/passage-index.js';
import type { Embedder } from '../llm/embedder.js';
import type { Logger } from '../logger.js';

/** What is embedded for a passage: its text under its document title and headings. */
export function embeddingInput(title: string, chunk: Pick<Chunk, 'headingPath' | 'text'>): string {
  const headings = chunk.headingPath.filter((heading) => heading !== title).join(' > ');
  return [title, headings, chunk.text].filter((part) => part !== '').join('\n');
}

/**
 * What the sync compares with a document's stored hash: the content hash and the embedding model,
 * so that turning embeddings on (or a document whose vectors failed) is redone by the next sync.
 */
export function embeddingState(embedder: Embedder | null): string {
  return embedder ? `${embedder.model}/${embedder.dimensions ?? 'default'}` : 'none';
}

export interface EmbeddingStats {
  /** Passages sent to the embedding model, and passages whose vector was already in the index. */
  embedded: number;
  reused: number;
  /** Why passages were indexed without vectors (the embedding model failed), if they were. */
  error: string | null;
}

interface Pending {
  document: IndexedDocument;
  chunks: Chunk[];
  inputs: Array<{ text: string; hash: string }>;
}

export class IndexWriter {
  readonly stats: EmbeddingStats = { embedded: 0, reused: 0, error: null };
  private pending: Pending[] = [];
  private pendingInputs = 0;

  constructor(
    private readonly index: PassageIndex,
    private readonly embedder: Embedder | null,
    private readonly logger: Logger,
  ) {}

  /** Writes the document now, or with the next batch of embeddings. */
  async write(document: IndexedDocument, chunks: Chunk[]): Promise<void> {
    if (!this.embedder) return this.index.replaceDocument(document, chunks);
    const inputs = chunks.map((chunk) => {
      const text = embeddingInput(document.title, chunk);
      return { text, hash: createHash('sha256').update(text).digest('hex').slice(0, 32) };
    });
    this.pending.push({ document, chunks, inputs });
    this.pendingInputs += chunks.length;
    if (this.pendingInputs >= this.embedder.inputsPerRound) await this.flush();
  }

  /** Embeds and writes every waiting document. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.pendingInputs = 0;
    if (batch.length === 0 || !this.embedder) return;
    const embedder = this.embedder;

    const hashes = [...new Set(batch.flatMap((item) => item.inputs.map((input) => input.hash)))];
    const vectors = await this.index.storedVectors(hashes);
    this.stats.reused += batch.flatMap((item) => item.inputs).filter((input) => vectors.has(input.hash)).length;
    const missing = new Map<string, string>();
    for (const item of batch) for (const input of item.inputs) if (!vectors.has(input.hash)) missing.set(input.hash, input.text);

    // After one failure (retries included) the rest of the sync goes without: each further
    // attempt would only wait out the same retries.
    if (missing.size > 0 && this.stats.error === null) {
      try {
        const made = await embedder.embedDocuments([...missing.values()]);
        [...missing.keys()].forEach((hash, i) => vectors.set(hash, made[i]!));
        this.stats.embedded += missing.size;
      } catch (error) {
        this.stats.error = (error as Error).message;
        this.logger.error({ err: error }, 'embedding failed: documents are indexed for keyword search only until the next sync');
      }
    }

    for (const { document, chunks, inputs } of batch) {
      const complete = inputs.every((input) => vectors.has(input.hash));
      if (!complete) {
        // Without every vector, none are written, and a stored hash that matches nothing makes
        // the next sync embed the document again.
        await this.index.replaceDocument({ ...document, contentHash: `without-vectors:${document.contentHash}` }, chunks);
        continue;
      }
      const embedded: IndexedChunk[] = chunks.map((chunk, i) => ({ ...chunk, embedding: { inputHash: inputs[i]!.hash, vector: vectors.get(inputs[i]!.hash)! } }));
      const dimensions = embedded[0]?.embedding?.vector.length ?? 0;
      await this.index.replaceDocument(document, embedded, { model: embedder.model, dimensions });
    }
  }
}
