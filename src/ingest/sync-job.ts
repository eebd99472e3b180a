// The one way to run a sync, whoever asks (CLI, HTTP, schedule, chat): one run at a time per
// index, across processes; a run whose process died releases the lock; every run is recorded.
//
// Whether the holder of the lock is alive (see holderAlive): its heartbeat must be younger than the
// lease wherever it runs; on this host its process must exist too, and a holder with this very
// process's pid is alive only while this process holds a run (a restarted container has the host
// name and the pid 1 of the one that died).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { SourceSpec } from '../config.js';
import type { SyncReport, SyncRun } from '../domain.js';
import { InternalError, SyncAlreadyRunningError, toGroundworkError } from '../errors.js';
import type { LockHolder } from '../index/catalogue.js';
import type { Logger } from '../logger.js';
import { runSync, type SyncDependencies, type SyncOptions, type SyncProgress } from './run-sync.js';
import type { DocumentSource } from './sources/document-source.js';

export interface SyncRequest {
  sources: SourceSpec[];
  requestedBy: string;
  allowMassDelete?: boolean;
  reindex?: boolean;
  onProgress?: (progress: SyncProgress) => void;
}

export interface SyncJobDependencies extends SyncDependencies {
  createSource: (spec: SourceSpec) => DocumentSource;
  options: Omit<SyncOptions, 'onProgress' | 'allowMassDelete' | 'reindex'>;
  /** How often a running sync proves it is alive, and how old that proof may be before its holder counts as dead. */
  heartbeatMs?: number;
  staleAfterMs?: number;
}

function describeRun(run: SyncRun): string {
  return `a sync is already running: started by ${run.requestedBy} at ${run.startedAt.toISOString()} for ${run.sources.join(', ')}`;
}

/** Where and when the liveness of the lock's holder is judged. */
export interface Observer {
  pid: number;
  host: string;
  now: Date;
  /** This process holds a run (started by any SyncJob in it). */
  holdsRun: boolean;
  staleAfterMs: number;
}

/**
 * Whether the process holding the sync lock is alive: its heartbeat is younger than the lease,
 * and, on this host, its process exists (after kill -9 that is known at once, without waiting
 * for the lease). A holder naming this very process is a former process with the same pid — a
 * container restarted with pid 1 under the same host name — unless this process holds a run.
 */
export function holderAlive(holder: LockHolder & { heartbeatAt: Date }, here: Observer, pidExists: (pid: number) => boolean = processExists): boolean {
  if (here.now.getTime() - holder.heartbeatAt.getTime() >= here.staleAfterMs) return false;
  if (holder.host !== here.host) return true;
  if (holder.pid === here.pid) return here.holdsRun;
  return pidExists(holder.pid);
}

// The runs this process holds or is taking the lock for, whichever SyncJob started them: the lock
// names a process, not a SyncJob.
const runsOfThisProcess = new Set<string>();

export class SyncJob {
  private readonly holder: LockHolder = { pid: process.pid, host: os.hostname() };
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: SyncJobDependencies) {}

  /** Starts a run in the background; refuses with SyncAlreadyRunningError while another runs. */
  async start(request: SyncRequest): Promise<{ runId: string; done: Promise<SyncRun> }> {
    const { catalogue, logger } = this.deps;
    const runId = randomUUID();
    const staleAfterMs = this.deps.staleAfterMs ?? 120_000;
    // Counted as held before the lock is taken, so that another start in this process, judging
    // the lock meanwhile, finds it alive.
    runsOfThisProcess.add(runId);
    let running: SyncRun | null;
    try {
      running = await catalogue.beginRun({ id: runId, requestedBy: request.requestedBy, sources: request.sources.map((s) => s.name) }, this.holder, (holder) =>
        holderAlive(holder, { ...this.holder, now: new Date(), holdsRun: [...runsOfThisProcess].some((id) => id !== runId), staleAfterMs }),
      );
    } catch (error) {
      runsOfThisProcess.delete(runId);
      throw error;
    }
    if (running) {
      runsOfThisProcess.delete(runId);
      throw new SyncAlreadyRunningError(describeRun(running));
    }
    const log = logger.child({ runId });
    log.info({ requestedBy: request.requestedBy, sources: request.sources.map((s) => s.name), reindex: request.reindex ?? false }, 'sync started');
    const done = this.execute(runId, request, log);
    const settled = done.catch(() => {}).finally(() => runsOfThisProcess.delete(runId));
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
    const { index, catalogue, atomically, embedder, access, createSource, options } = this.deps;
    const heartbeat = setInterval(() => void catalogue.heartbeat(runId).catch(() => {}), this.deps.heartbeatMs ?? 30_000);
    heartbeat.unref();
    let reports: SyncReport[] = [];
    let status: 'succeeded' | 'failed' = 'failed';
    try {
      reports = await runSync({ index, catalogue, atomically, logger: log, embedder, access }, request.sources.map(createSource), {
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

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
