// Qdrant's Query API over one in-memory collection: exact (brute-force) nearest-neighbour scoring
// for dense and sparse vectors, prefetch trees, RRF fusion, thresholds and paging.
import { DEFAULT_VECTOR, compareIds, normaliseId, type Collection, type SparseVector, type StoredPoint } from './collection.js';
import { NotImplemented, QdrantError } from './errors.js';

export interface Scored {
  point: StoredPoint;
  score: number;
}

/** Qdrant's default RRF constant: `DEFAULT_RRF_K = 2` in lib/segment/src/common/reciprocal_rank_fusion.rs. */
export const RRF_K = 2;

/**
 * The RRF contribution of a point at zero-based `position` in one prefetch's results, as Qdrant
 * computes it (lib/segment/src/common/reciprocal_rank_fusion.rs, `position_score`):
 * 1 / ((position + 1) / weight + k - 1), which is 1 / (position + k) at the default weight 1.
 * (Qdrant's k is the RRF paper's k plus one, the paper counting ranks from 1.)
 */
export function rrfContribution(position: number, k = RRF_K, weight = 1): number {
  return weight <= 0 ? 0 : 1 / ((position + 1) / weight + k - 1);
}

/**
 * Qdrant's IDF for sparse vectors with `modifier: "idf"` (documented under "IDF Modifier" in
 * qdrant.tech/documentation/concepts/indexing): idf(i) = ln(1 + (N - n(i) + 0.5) / (n(i) + 0.5)),
 * with N the number of points holding that sparse vector and n(i) those with a value at index i.
 * It weights the query side only; stored values are used as given.
 */
export function idf(pointsWithVector: number, pointsWithIndex: number): number {
  return Math.log(1 + (pointsWithVector - pointsWithIndex + 0.5) / (pointsWithIndex + 0.5));
}

const higherIsBetter = (distance: string | undefined) => distance !== 'Euclid' && distance !== 'Manhattan';

/** Best first; equal scores by id, so results are deterministic (Qdrant itself does not promise an order for ties). */
function rank(list: Scored[], better: boolean): Scored[] {
  return list.sort((a, b) => (a.score === b.score ? compareIds(a.point.id, b.point.id) : better ? b.score - a.score : a.score - b.score));
}

function sparseDot(query: SparseVector, stored: SparseVector): number | null {
  let score = 0;
  let overlap = false;
  let j = 0;
  for (let i = 0; i < query.indices.length; i++) {
    while (j < stored.indices.length && stored.indices[j]! < query.indices[i]!) j++;
    if (j < stored.indices.length && stored.indices[j] === query.indices[i]) {
      overlap = true;
      score += query.values[i]! * stored.values[j]!;
    }
  }
  return overlap ? score : null;
}

interface Request {
  prefetch?: unknown;
  query?: any;
  using?: string | null;
  filter?: Record<string, any> | null;
  score_threshold?: number | null;
  limit?: number | null;
  offset?: number | null;
  params?: Record<string, unknown> | null;
  lookup_from?: unknown;
}

export class QueryEngine {
  constructor(private readonly collection: Collection) {}

  /** Runs a QueryRequest (or a Prefetch) and returns the ranked points, paged. */
  run(request: Request, inheritedFilter: Record<string, any> | null = null): Scored[] {
    if (request.lookup_from) throw new NotImplemented('query lookup_from');
    if (request.params?.idf) throw new NotImplemented('search params idf');
    // A parent's filter applies to its prefetches too, as Qdrant's query planner does.
    const filter = combine(inheritedFilter, request.filter ?? null);
    const prefetches = request.prefetch == null ? [] : Array.isArray(request.prefetch) ? request.prefetch : [request.prefetch];
    const limit = request.limit ?? 10;
    const offset = request.offset ?? 0;
    const sources = prefetches.map((p) => this.run(p as Request, filter));
    let ranked: Scored[];
    let better = true;
    const query = request.query;
    if (query && typeof query === 'object' && !Array.isArray(query) && ('fusion' in query || 'rrf' in query)) {
      if (!prefetches.length) throw new QdrantError(400, 'Bad request: Fusion queries require at least one prefetch');
      if (query.fusion === 'dbsf') throw new NotImplemented('fusion dbsf');
      const k = query.rrf?.k ?? RRF_K;
      const weights: number[] | undefined = query.rrf?.weights ?? undefined;
      if (weights && weights.length !== sources.length) throw new QdrantError(400, `Bad request: Number of weights in RRF should match number of pre-fetches: got ${weights.length}, expected ${sources.length}`);
      const fused = new Map<number | string, Scored>();
      sources.forEach((source, s) =>
        source.forEach((hit, position) => {
          const add = rrfContribution(position, k, weights?.[s] ?? 1);
          const seen = fused.get(hit.point.id);
          if (seen) seen.score += add;
          else fused.set(hit.point.id, { point: hit.point, score: add });
        }),
      );
      ranked = rank([...fused.values()], true);
    } else if (query == null) {
      if (prefetches.length) throw new NotImplemented('a query without `query` over prefetches');
      ranked = this.collection.matching(filter).map((point) => ({ point, score: 0 }));
    } else {
      const using = request.using ?? DEFAULT_VECTOR;
      const { vector, exclude } = this.resolveVector(query, using);
      const candidates = prefetches.length ? unique(sources.flat().map((s) => s.point)) : this.collection.matching(filter);
      const scored = this.score(using, vector, candidates.filter((p) => p.id !== exclude));
      better = higherIsBetter(this.collection.denseDistance(using));
      ranked = rank(scored, better);
    }
    if (request.score_threshold != null) {
      const t = request.score_threshold;
      ranked = ranked.filter((s) => (better ? s.score >= t : s.score <= t));
    }
    return ranked.slice(offset, offset + limit);
  }

  /** The vector a query names: given inline, as `{nearest}`, or as the id of a stored point. */
  private resolveVector(query: any, using: string): { vector: number[] | SparseVector; exclude?: number | string } {
    if (query && typeof query === 'object' && !Array.isArray(query) && !('indices' in query)) {
      if ('nearest' in query) {
        if (query.mmr) throw new NotImplemented('nearest with mmr');
        return this.resolveVector(query.nearest, using);
      }
      throw new NotImplemented(`the ${Object.keys(query).join('/')} query`);
    }
    if (typeof query === 'number' || typeof query === 'string') {
      const id = normaliseId(query);
      const point = this.collection.points.get(id);
      if (!point) throw new QdrantError(404, `Not found: No point with id ${id} found`);
      const vector = point.dense.get(using) ?? point.sparse.get(using);
      if (!vector) throw new QdrantError(400, `Wrong input: Not existing vector name error: ${using}`);
      return { vector, exclude: id };
    }
    if (Array.isArray(query) && query.every((x) => Array.isArray(x))) throw new NotImplemented('multivector queries');
    if (this.collection.isSparse(using)) return { vector: this.collection.prepareSparse(using, query) };
    return { vector: this.collection.prepareDense(using, query) };
  }

  private score(using: string, vector: number[] | SparseVector, candidates: StoredPoint[]): Scored[] {
    if (!Array.isArray(vector)) {
      const weighted = this.collection.sparseModifier(using) === 'idf' ? this.idfWeighted(using, vector) : vector;
      return candidates.flatMap((point) => {
        const stored = point.sparse.get(using);
        const score = stored ? sparseDot(weighted, stored) : null;
        // Sparse search only finds points sharing at least one index with the query.
        return score === null ? [] : [{ point, score }];
      });
    }
    const distance = this.collection.denseDistance(using);
    return candidates.flatMap((point) => {
      const stored = point.dense.get(using);
      if (!stored) return [];
      let score: number;
      if (distance === 'Euclid') score = Math.sqrt(stored.reduce((sum, x, i) => sum + (x - vector[i]!) ** 2, 0));
      else if (distance === 'Manhattan') score = stored.reduce((sum, x, i) => sum + Math.abs(x - vector[i]!), 0);
      else score = stored.reduce((sum, x, i) => sum + x * vector[i]!, 0); // Cosine: both sides normalised
      return [{ point, score }];
    });
  }

  private idfWeighted(using: string, query: SparseVector): SparseVector {
    const holders = [...this.collection.points.values()].map((p) => p.sparse.get(using)).filter((v): v is SparseVector => !!v);
    return {
      indices: query.indices,
      values: query.values.map((value, i) => value * idf(holders.length, holders.filter((v) => v.indices.includes(query.indices[i]!)).length)),
    };
  }
}

function combine(a: Record<string, any> | null, b: Record<string, any> | null): Record<string, any> | null {
  if (!a) return b;
  if (!b) return a;
  return { must: [a, b] };
}

function unique(points: StoredPoint[]): StoredPoint[] {
  return [...new Map(points.map((p) => [p.id, p])).values()];
}
