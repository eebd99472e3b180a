// Composition root of the server: config -> context -> (first start: sync) -> listen; SIGTERM -> stop.
import { Cron } from 'croner';
import { AppContext, type AppOverrides } from './app-context.js';
import type { Config } from './config.js';
import { SyncAlreadyRunningError } from './errors.js';
import { createServer, startServer } from './server.js';

export interface Service {
  url: string;
  context: AppContext;
  stop(): Promise<void>;
}

export async function startService(config: Config, overrides: AppOverrides = {}): Promise<Service> {
  const context = AppContext.fromConfig(config, overrides);
  const log = context.logger.child({ component: 'main' });
  try {
    if ((await context.index.chunkCount()) === 0) {
      log.info({ sources: config.sources.map((s) => `${s.kind}:${s.location}`) }, 'the index is empty: syncing the configured sources first');
      try {
        for (const report of (await context.sync({ requestedBy: 'first start' })).reports) {
          if (report.error) log.error({ source: report.source, error: report.error }, 'first sync of a source failed');
        }
      } catch (error) {
        if (!(error instanceof SyncAlreadyRunningError)) throw error;
        log.warn({ reason: error.message }, 'not syncing on first start');
      }
    }
    const server = createServer({
      logger: context.logger,
      metrics: context.metrics,
      index: context.index,
      handleMessage: context.handleMessage,
      webchat: config.webchat.enabled,
      admin: config.admin.apiToken ? { token: config.admin.apiToken, syncJob: context.syncJob, sources: config.sources } : null,
    });
    const schedule = config.sync.schedule ? scheduleSyncs(config.sync.schedule, context) : null;
    const running = await startServer(server, config.port, config.host);
    log.info({ url: running.url, webchat: config.webchat.enabled }, config.webchat.enabled ? `web chat at ${running.url}/` : 'listening');
    return {
      url: running.url,
      context,
      stop: async () => {
        schedule?.stop();
        await running.stop();
        await context.syncJob.idle();
        context.close();
        log.info('stopped');
      },
    };
  } catch (error) {
    context.close();
    throw error;
  }
}

/** Runs the configured sync on a cron schedule; a tick while a sync runs is skipped. */
function scheduleSyncs(expression: string, context: AppContext): Cron {
  const log = context.logger.child({ component: 'schedule' });
  const cron = new Cron(expression, { protect: true }, async () => {
    try {
      const run = await context.sync({ requestedBy: 'schedule' });
      log.info({ runId: run.id, status: run.status }, 'scheduled sync finished');
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'scheduled sync skipped');
    }
  });
  log.info({ expression, next: cron.nextRun()?.toISOString() }, 'syncs scheduled');
  return cron;
}

/** Runs until SIGTERM or SIGINT, then stops gracefully. */
export async function serve(config: Config): Promise<void> {
  const service = await startService(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.context.logger.info({ signal }, 'shutting down');
    await service.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
