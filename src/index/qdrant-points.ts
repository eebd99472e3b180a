// How a chunk of a document version is stored as a Qdrant point: a deterministic id, and a payload
// holding everything a SearchHit needs, so that no read needs a second store.
import { createHash } from 'node:crypto';
import type { Chunk, DocumentInfo, SectionLocation } from '../domain.js';
import type { IndexedDocument, VectorSpace } from './passage-index.js';
import { readLocation } from './stored-location.js';
import { TermCounts } from './term-counts.js';

/** A UUID (version 8: custom) from the document, chunk id and version: a retried write lands on the same points. */
export function pointId(documentId: string, chunkId: string, version: number): string {
  return uuidFrom(`${documentId}\u0000${chunkId}\u0000${version}`);
}

/** The point that holds the index's own record (its vector space); it has no vectors, so no search finds it. */
export const recordPointId = uuidFrom('groundwork:index-record');

function uuidFrom(name: string): string {
  const bytes = createHash('sha256').update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How a vector space is written in the payload of the points whose vectors it made. */
export function spaceKey(space: VectorSpace): string {
  return `${space.model}/${space.dimensions}`;
}

export interface ChunkPayload {
  document_id: string;
  document_version: number;
  source: string;
  path: string;
  title: string;
  url: string | null;
  updated_at: string | null;
  author: string | null;
  labels: string[];
  superseded: boolean;
  /**
   * The principals that may read the document (DocumentInfo.readers). Every search filters on it
   * with `match.any`, which a point without the field never matches: points written before access
   * rules are found by no one until `setReaders` gives them readers.
   */
  readers: string[];
  chunk_id: string;
  position: number;
  heading_path: string[];
  text: string;
  token_count: number;
  content_hash: string;
  /** TermCounts in its stored form. */
  body_terms: string;
  /** The embedding input's hash and the space of the point's dense vector, when it has one. */
  input_hash: string | null;
  vector_space: string | null;
  /** Where the chunk is in its document; absent from points written before locations (and when the format says nothing). */
  location?: SectionLocation;
}

export function toPayload(
  document: IndexedDocument,
  version: number,
  chunk: Chunk,
  bodyTerms: TermCounts,
  vector: { inputHash: string; space: VectorSpace } | null,
): ChunkPayload {
  return {
    document_id: document.id,
    document_version: version,
    source: document.source,
    path: document.path,
    title: document.title,
    url: document.url,
    updated_at: document.updatedAt?.toISOString() ?? null,
    author: document.author,
    labels: document.labels,
    superseded: document.superseded,
    readers: [...new Set(document.readers)],
    chunk_id: chunk.id,
    position: chunk.position,
    heading_path: chunk.headingPath,
    text: chunk.text,
    token_count: chunk.tokenCount,
    content_hash: chunk.contentHash,
    body_terms: bodyTerms.toString(),
    input_hash: vector?.inputHash ?? null,
    vector_space: vector ? spaceKey(vector.space) : null,
    ...(chunk.location ? { location: { ...chunk.location } } : {}),
  };
}

/** A stored chunk read back; null when the payload is not one this code wrote (a malformed answer). */
export function fromPayload(payload: unknown): { chunk: Chunk; document: DocumentInfo; bodyTerms: TermCounts; version: number } | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Partial<ChunkPayload>;
  const strings = [p.document_id, p.source, p.path, p.title, p.chunk_id, p.text, p.content_hash, p.body_terms];
  if (strings.some((value) => typeof value !== 'string')) return null;
  if (typeof p.document_version !== 'number' || typeof p.position !== 'number' || typeof p.token_count !== 'number' || !Array.isArray(p.heading_path)) return null;
  const location = readLocation(p.location);
  return {
    version: p.document_version,
    chunk: {
      id: p.chunk_id!,
      documentId: p.document_id!,
      position: p.position,
      headingPath: p.heading_path.map(String),
      text: p.text!,
      tokenCount: p.token_count,
      contentHash: p.content_hash!,
      ...(location ? { location } : {}),
    },
    document: {
      id: p.document_id!,
      source: p.source!,
      path: p.path!,
      title: p.title!,
      url: typeof p.url === 'string' ? p.url : null,
      updatedAt: typeof p.updated_at === 'string' ? new Date(p.updated_at) : null,
      superseded: p.superseded === true,
      readers: readersOf(p),
    },
    bodyTerms: TermCounts.parse(p.body_terms!),
  };
}

/** A payload's readers, in one order; none when it has no such field (or not a list of strings). */
export function readersOf(payload: { readers?: unknown }): string[] {
  return Array.isArray(payload.readers) ? payload.readers.filter((reader): reader is string => typeof reader === 'string').sort() : [];
}
