// The sync job: list each source, skip what has not changed, parse and chunk the rest, replace
// each changed document under a new version, and remove documents gone from the source.
import { createHash } from 'node:crypto';
import type { AccessPolicy } from '../access/access-policy.js';
import { applyAccessPolicy } from '../access/apply-access.js';
import type { SourceDocument, SyncReport } from '../domain.js';
import { DocumentUnreadableError, GroundworkError, ReindexRequiredError, toGroundworkError } from '../errors.js';
import type { Catalogue } from '../index/catalogue.js';
import type { Atomically, IndexRebuild, PassageIndex } from '../index/passage-index.js';
import { madeBy, type Embedder } from '../llm/embedder.js';
import type { Logger } from '../logger.js';
import { markedSuperseded } from '../retrieval/superseded.js';
import { safeUrl } from '../safe-url.js';
import { chunkDocument, type ChunkingOptions } from './chunk.js';
import { refuseOversized } from './file-size.js';
import { deleteDocuments, embeddingState, IndexWriter } from './index-writer.js';
import type { ParsedDocument } from './parsers/parsed-document.js';
import type { DocumentSource, SourceItem, SourceListing } from './sources/document-source.js';
import { emptiedReason, formatNotReadReason, noTextReason } from './sync-report-text.js';

// Raised when parsing or chunking changes what a document becomes: every document is then indexed again.
// 3: sections and chunks carry their location (heading anchor, PDF page, slide, sheet), so an index
// written before gains locations on its next sync (vectors are reused: the embedded text is the same).
const pipelineVersion = 3;

export interface SyncProgress {
  source: string;
  /** Documents found in the source, and how many of them have been handled so far. */
  total: number;
  done: number;
  /** Of those handled: parsed and indexed (added or updated), unchanged, skipped, failed. */
  indexed: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /** The document just handled (null before the first). */
  path: string | null;
}

export interface SyncOptions {
  chunking: ChunkingOptions;
  maxFileBytes: number;
  /** A sync that would delete more than this share of a source's documents stops instead (0..1). */
  maxDeleteShare?: number;
  allowMassDelete?: boolean;
  /** Rebuild everything: every document parsed again, every passage embedded again (after a change of embedding model). */
  reindex?: boolean;
  onProgress?: (progress: SyncProgress) => void;
  now?: () => Date;
}

export interface SyncDependencies {
  index: PassageIndex;
  catalogue: Catalogue;
  /** Groups the steps of one document's replacement where the stores can (see DocumentStores). */
  atomically?: Atomically;
  logger: Logger;
  /** Passages get vectors when there is an embedding model. */
  embedder?: Embedder | null;
  /** Gives each document its readers. */
  access: AccessPolicy;
}

export function documentId(source: string, itemPath: string): string {
  return createHash('sha256').update(source).update('\u0000').update(itemPath).digest('hex').slice(0, 32);
}

function titleFromPath(itemPath: string): string {
  const base = itemPath.split('/').pop() ?? itemPath;
  return base.replace(/\.[^.]+$/, '').replace(/[-_]+/g, ' ').trim() || base;
}

/**
 * Vectors of another model cannot be searched with this one's: that takes a re-index, never a
 * silent mix. An index that can rebuild (Qdrant) re-indexes into a new collection beside the one
 * readers use; it does the same when it cannot take the first vectors of this model without one.
 * Returns the rebuild in progress, if any.
 */
async function prepareVectors({ index, catalogue, embedder }: SyncDependencies, reindex: boolean): Promise<IndexRebuild | null> {
  if (reindex) {
    // Every document must be embedded again, also those of sources this sync does not cover;
    // marked first, so that a stop between the two steps still re-embeds them.
    await catalogue.markAllNeedEmbedding();
    if (index.rebuild) return index.rebuild();
    await index.resetVectors();
    return null;
  }
  const space = await index.vectorSpace();
  if (!embedder) return null;
  if (!space) return index.rebuild && (await index.needsRebuildFor?.(embedder.dimensions ?? null)) ? index.rebuild() : null;
  if (!madeBy(space, embedder)) {
    const wanted = embedder.dimensions ? `${embedder.model}" (${embedder.dimensions} dimensions)` : `${embedder.model}"`;
    throw new ReindexRequiredError(
      `the index's vectors were made by the embedding model "${space.model}" (${space.dimensions} dimensions), and the configured one is "${wanted}. ` +
        'Nothing was changed. Run "groundwork sync --reindex" to embed every passage again (answers use keyword search until it has finished), or set EMBEDDING_MODEL back.',
    );
  }
  return null;
}

export async function runSync(deps: SyncDependencies, sources: DocumentSource[], options: SyncOptions): Promise<SyncReport[]> {
  let rebuild: IndexRebuild | null;
  try {
    // Unchanged documents are not written again: they must already have the readers of these rules.
    await applyAccessPolicy(deps.index, deps.access, deps.logger);
    rebuild = await prepareVectors(deps, options.reindex ?? false);
  } catch (error) {
    await Promise.all(sources.map((source) => source.close()));
    throw error;
  }
  // During a rebuild the sync writes through it; readers keep the index as it was until it finishes.
  const writing = rebuild ? { ...deps, index: rebuild.index } : deps;
  const reports: SyncReport[] = [];
  try {
    for (const source of sources) reports.push(await syncSource(writing, source, options));
    await rebuild?.finish();
  } catch (error) {
    await rebuild?.abandon().catch((abandonError: unknown) => deps.logger.warn({ err: abandonError }, 'the unfinished re-index is left for the next one to delete'));
    throw error;
  }
  return reports;
}

async function syncSource(deps: SyncDependencies, source: DocumentSource, options: SyncOptions): Promise<SyncReport> {
  const { catalogue, logger } = deps;
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const name = source.spec.name;
  const log = logger.child({ source: name });
  const report: SyncReport = { source: name, added: 0, updated: 0, unchanged: 0, deleted: 0, skipped: [], failed: [], warnings: [], error: null, durationMs: 0 };

  let listing: SourceListing;
  try {
    listing = await source.list();
  } catch (error) {
    await source.close();
    report.error = toGroundworkError(error).message;
    report.durationMs = Date.now() - started;
    log.error({ err: error }, 'source unavailable; its documents in the index are kept');
    return report;
  }
  try {
    await syncItems({ ...deps, logger: log }, source, listing, options, report);
  } finally {
    await source.close();
  }
  report.durationMs = Date.now() - started;
  await catalogue.recordSync(source.spec, report, now());
  const { source: _source, ...counts } = report;
  log.info({ ...counts, failed: report.failed.length }, 'source synced');
  return report;
}

// Documents read and parsed ahead of the one being written.
const lookahead = 2;

type Prepared = { unchanged: true } | { unchanged: false; contentHash: string; parsed: ParsedDocument };

/** A task started at most once, on first asking. */
function once<T>(task: () => Promise<T>): { start(): Promise<T> } {
  let started: Promise<T> | null = null;
  return {
    start() {
      if (!started) {
        started = task();
        started.catch(() => {}); // awaited in its turn; not an unhandled rejection meanwhile
      }
      return started;
    },
  };
}

/**
 * The items with their document ids, each identity once: two items of one identity would replace
 * each other in the index, so the first stays and the others are reported.
 */
function listedOnce(source: string, items: SourceItem[], report: SyncReport): Array<{ item: SourceItem; id: string }> {
  const firstPathOf = new Map<string, string>();
  const entries: Array<{ item: SourceItem; id: string }> = [];
  for (const item of items) {
    const id = documentId(source, item.key);
    const first = firstPathOf.get(id);
    if (first === undefined) {
      firstPathOf.set(id, item.path);
      entries.push({ item, id });
    } else report.failed.push({ path: item.path, reason: `another document of this source has the same identity and comes first (${first}); that one is indexed` });
  }
  return entries;
}

async function syncItems(
  { index, catalogue, atomically, logger: log, embedder = null, access }: SyncDependencies,
  source: DocumentSource,
  { items, problems, unsupported, skipped = [] }: SourceListing,
  options: SyncOptions,
  report: SyncReport,
): Promise<void> {
  const name = source.spec.name;
  const warnings = (report.warnings ??= []);
  report.failed.push(...problems);
  report.skipped.push(...skipped, ...unsupported.map((file) => ({ path: file, reason: formatNotReadReason(file) })));
  for (const problem of problems) log.warn(problem, 'entry refused');
  for (const entry of skipped) log.warn(entry, 'entry skipped');

  const known = await catalogue.documentsOf(name);
  const listed = new Set(items.map((item) => documentId(name, item.key)));
  const goneCount = [...known.keys()].filter((id) => !listed.has(id)).length;
  const maxDeleteShare = options.maxDeleteShare ?? 0.5;
  if (!options.allowMassDelete && known.size > 0 && goneCount / known.size > maxDeleteShare) {
    report.error =
      `this sync would delete ${goneCount} of the ${known.size} indexed documents (${Math.round((100 * goneCount) / known.size)} %), ` +
      `more than the ${Math.round(maxDeleteShare * 100)} % limit (SYNC_MAX_DELETE_SHARE); nothing was changed. ` +
      'If the export really lost them, sync again with --allow-mass-delete.';
    log.error({ goneCount, indexed: known.size }, 'mass delete refused');
    return;
  }

  const seen = new Set<string>();
  const settings = `${pipelineVersion}|${options.chunking.maxTokens}|${options.chunking.overlapTokens}|${embeddingState(embedder)}|`;
  const writer = new IndexWriter({ index, catalogue, atomically }, embedder, log);
  const entries = listedOnce(name, items, report);
  let done = 0;
  const progress = (path: string | null): SyncProgress => ({
    source: name,
    total: entries.length,
    done,
    indexed: report.added + report.updated,
    unchanged: report.unchanged,
    skipped: report.skipped.length,
    failed: report.failed.length,
    path,
  });
  options.onProgress?.(progress(null));

  // Read, hash and parse (in the parser pool, when there is one) run a few documents ahead of
  // chunking and writing, which stay in order in this thread.
  const prepared: Array<{ start(): Promise<Prepared> } | null> = entries.map(({ item, id }) => once(() => prepareItem(item, id)));
  const prepareItem = async (item: SourceItem, id: string): Promise<Prepared> => {
    refuseOversized(item.size, options.maxFileBytes);
    // A re-index redoes every document; what was there still decides between added and updated.
    // So does a document whose passages lack vectors, when there is a model to make them.
    const stored = known.get(id);
    const previous = options.reindex || (embedder && stored?.needsEmbedding) ? undefined : stored?.contentHash;
    const metadata = item.metadata ? await item.metadata() : '';
    const hash = (content: string | Buffer) => createHash('sha256').update(settings).update(content).update(metadata).digest('hex');
    // A fingerprint (a zip entry's CRC) tells an unchanged document without reading it.
    const fingerprintHash = item.fingerprint ? hash(item.fingerprint) : null;
    if (fingerprintHash !== null && previous === fingerprintHash) return { unchanged: true };
    // The read stops at the limit: a listed size can be wrong, and a file can grow.
    const bytes = await item.read(options.maxFileBytes).catch((error: NodeJS.ErrnoException) => {
      if (error instanceof GroundworkError) throw error;
      throw new DocumentUnreadableError(`it cannot be read (${error.code ?? toGroundworkError(error).message})`, error);
    });
    refuseOversized(bytes.length, options.maxFileBytes);
    const contentHash = fingerprintHash ?? hash(bytes);
    if (previous === contentHash) return { unchanged: true };
    return { unchanged: false, contentHash, parsed: await item.parse(bytes) };
  };

  for (const [at, { item, id }] of entries.entries()) {
    for (let ahead = at + 1; ahead <= at + lookahead && ahead < entries.length; ahead++) void prepared[ahead]!.start();
    // A document that fails keeps its indexed version: it is not deleted as "gone".
    seen.add(id);
    try {
      const isNew = !known.has(id);
      const result = await prepared[at]!.start();
      prepared[at] = null; // its bytes and text are not kept past here
      if (result.unchanged) {
        report.unchanged++;
        continue;
      }
      const { parsed, contentHash } = result;
      const title = parsed.title ?? titleFromPath(item.path);
      const path = parsed.path ?? item.path;
      const labels = parsed.labels ?? [];
      const document: SourceDocument = {
        id,
        source: name,
        path,
        title,
        // Links come from the export, so they are data: only http(s) ones are kept.
        url: safeUrl(parsed.url !== undefined ? parsed.url : item.url),
        updatedAt: parsed.updatedAt !== undefined ? parsed.updatedAt : item.modifiedAt,
        author: parsed.author ?? null,
        labels,
        superseded: markedSuperseded({ title, path, labels, status: parsed.status }),
        readers: access.readersOf({ source: name, path, labels }),
        contentHash,
        sections: parsed.sections,
      };
      for (const warning of parsed.warnings ?? []) warnings.push({ path: item.path, reason: warning });
      const chunks = chunkDocument(id, document.sections, options.chunking);
      if (chunks.length === 0 && !isNew) {
        // It had text: an emptied file is more likely a half-written export than a policy
        // withdrawn, so its answers stay until the file itself is gone.
        warnings.push({ path: item.path, reason: emptiedReason });
        log.warn({ path: item.path }, 'document now holds no text; its indexed version is kept');
        continue;
      }
      if (chunks.length === 0) {
        // Nothing to answer from (a parent page, a redirect): not an error, and not kept.
        seen.delete(id);
        report.skipped.push({ path: item.path, reason: noTextReason });
        continue;
      }
      await writer.write(document, chunks);
      if (isNew) report.added++;
      else report.updated++;
    } catch (error) {
      if (error instanceof ReindexRequiredError) throw error;
      const reason = toGroundworkError(error).message;
      report.failed.push({ path: item.path, reason });
      log.warn({ path: item.path, reason }, 'document skipped');
    } finally {
      done++;
      options.onProgress?.(progress(item.path));
    }
  }

  await writer.flush();
  if (embedder) report.vectors = { ...writer.stats };
  const gone = [...known.keys()].filter((id) => !seen.has(id));
  await deleteDocuments({ index, catalogue, atomically }, gone);
  report.deleted = gone.length;
}
