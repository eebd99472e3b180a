// The one way to run a sync, whoever asks (CLI, HTTP, schedule, chat): one run at a time per
// index, across processes; a run whose process died releases the lock; every run is recorded.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { SourceSpec } from '../config.js';
import type { SyncReport, SyncRun } from '../domain.js';
import { InternalError, SyncAlreadyRunningError, toGroundworkError } from '../errors.js';
import type { Catalogue, LockHolder } from '../index/catalogue.js';
import type { Atomically, PassageIndex } from '../index/passage-index.js';
import type { Embedder } from '../llm/embedder.js';
import type { Logger } from '../logger.js';
import { runSync, type SyncOptions, type SyncProgress } from './run-sync.js';
import type { DocumentSource } from './sources/document-source.js';

export interface SyncRequest {
  sources: SourceSpec[];
  requestedBy: string;
  allowMassDelete?: boolean;
  reindex?: boolean;
  onProgress?: (progress: SyncProgress) => void;
}

export interface SyncJobDependencies {
  index: PassageIndex;
  catalogue: Catalogue;
  /** Groups the steps of one document's replacement where the stores can (see DocumentStores). */
  atomically?: Atomically;
  logger: Logger;
  embedder?: Embedder | null;
  createSource: (spec: SourceSpec) => DocumentSource;
  options: Omit<SyncOptions, 'onProgress' | 'allowMassDelete' | 'reindex'>;
  /** How often a running sync proves it is alive, and how old that proof may be on another host. */
  heartbeatMs?: number;
  staleAfterMs?: number;
}

function describeRun(run: SyncRun): string {
  return `a sync is already running: started by ${run.requestedBy} at ${run.startedAt.toISOString()} for ${run.sources.join(', ')}`;
}

export class SyncJob {
  private readonly holder: LockHolder = { pid: process.pid, host: os.hostname() };
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: SyncJobDependencies) {}

  /** Starts a run in the background; refuses with SyncAlreadyRunningError while another runs. */
  async start(request: SyncRequest): Promise<{ runId: string; done: Promise<SyncRun> }> {
    const { catalogue, logger } = this.deps;
    const runId = randomUUID();
    const staleAfterMs = this.deps.staleAfterMs ?? 120_000;
    const running = await catalogue.beginRun(
      { id: runId, requestedBy: request.requestedBy, sources: request.sources.map((s) => s.name) },
      this.holder,
      (holder) => (holder.host === this.holder.host ? processAlive(holder.pid) : Date.now() - holder.heartbeatAt.getTime() < staleAfterMs),
    );
    if (running) throw new SyncAlreadyRunningError(describeRun(running));
    const log = logger.child({ runId });
    log.info({ requestedBy: request.requestedBy, sources: request.sources.map((s) => s.name), reindex: request.reindex ?? false }, 'sync started');
    const done = this.execute(runId, request, log);
    const settled = done.catch(() => {});
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return { runId, done };
  }

  /** Resolves when the runs this process started have finished (for a graceful stop). */
  async idle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  /** Runs a sync to the end. */
  async run(request: SyncRequest): Promise<SyncRun> {
    return (await this.start(request)).done;
  }

  getRun(id: string): Promise<SyncRun | null> {
    return this.deps.catalogue.getRun(id);
  }

  private async execute(runId: string, request: SyncRequest, log: Logger): Promise<SyncRun> {
    const { index, catalogue, atomically, embedder, createSource, options } = this.deps;
    const heartbeat = setInterval(() => void catalogue.heartbeat(runId).catch(() => {}), this.deps.heartbeatMs ?? 30_000);
    heartbeat.unref();
    let reports: SyncReport[] = [];
    let status: 'succeeded' | 'failed' = 'failed';
    try {
      reports = await runSync({ index, catalogue, atomically, logger: log, embedder }, request.sources.map(createSource), {
        ...options,
        allowMassDelete: request.allowMassDelete,
        reindex: request.reindex,
        onProgress: request.onProgress,
      });
      status = reports.every((report) => report.error !== null) ? 'failed' : 'succeeded';
    } catch (error) {
      log.error({ err: error }, 'sync failed');
      reports = [
        ...reports,
        { source: request.sources.map((s) => s.name).join(', '), added: 0, updated: 0, unchanged: 0, deleted: 0, skipped: [], failed: [], warnings: [], error: toGroundworkError(error).message, durationMs: 0 },
      ];
    } finally {
      clearInterval(heartbeat);
      await catalogue.finishRun(runId, status, reports).catch((error: unknown) => log.error({ err: error }, 'could not record the end of the sync'));
    }
    log.info({ status }, 'sync finished');
    const run = await catalogue.getRun(runId);
    if (!run) throw new InternalError(`the record of sync run ${runId} is missing`);
    return run;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
