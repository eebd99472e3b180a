// The semantic half of retrieval: the question's vector against the index's. When that cannot be
// done right now (the embedding model fails, or the index's vectors are another model's), the
// answer goes on with keyword search alone, and the reason is logged and counted.
import type { PassageIndex, VectorQuery } from '../index/passage-index.js';
import { madeBy, type Embedder } from '../llm/embedder.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

export interface DenseSearchDependencies {
  index: PassageIndex;
  embedder: Embedder;
  logger?: Logger;
  metrics?: Metrics;
}

export class DenseSearch {
  private warnedAboutModel = false;

  constructor(private readonly deps: DenseSearchDependencies) {}

  /**
   * The query for the chunks nearest to the question by meaning, or null when keyword search must
   * do alone; `logger` is the asking turn's. Retrieval sends it with the keyword query.
   */
  async vectorQuery(question: string, limit: number, filter: { readers: string[]; sources?: string[] }, turnLogger?: Logger): Promise<VectorQuery | null> {
    const { index, embedder, metrics } = this.deps;
    const logger = turnLogger ?? this.deps.logger;
    const space = await index.vectorSpace();
    if (!space) return null; // nothing embedded yet
    if (!madeBy(space, embedder)) {
      metrics?.retrievalFallbacks.inc({ reason: 'model_changed' });
      if (!this.warnedAboutModel) {
        this.warnedAboutModel = true;
        logger?.warn(
          { indexModel: space.model, indexDimensions: space.dimensions, configuredModel: embedder.model },
          'the index was embedded by another model: keyword search only until "groundwork sync --reindex"',
        );
      }
      return null;
    }
    let vector: Float32Array;
    try {
      vector = await embedder.embedQuery(question);
    } catch (error) {
      metrics?.retrievalFallbacks.inc({ reason: 'embedding_failed' });
      logger?.warn({ err: error }, 'the question could not be embedded: keyword search only');
      return null;
    }
    if (vector.length !== space.dimensions) {
      metrics?.retrievalFallbacks.inc({ reason: 'model_changed' });
      logger?.warn({ got: vector.length, expected: space.dimensions }, 'the embedding model answered vectors of another size: keyword search only');
      return null;
    }
    return { vector, limit, readers: filter.readers, ...(filter.sources ? { sources: filter.sources } : {}) };
  }
}
