// Composition root of the server: config -> context -> (first start: sync) -> listen; SIGTERM -> stop.
import { AppContext, type AppOverrides } from './app-context.js';
import type { Config } from './config.js';
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
      for (const report of await context.sync()) {
        if (report.error) log.error({ source: report.source, error: report.error }, 'first sync of a source failed');
      }
    }
    const server = createServer({
      logger: context.logger,
      metrics: context.metrics,
      index: context.index,
      handleMessage: context.handleMessage,
      webchat: config.webchat.enabled,
    });
    const running = await startServer(server, config.port, config.host);
    log.info({ url: running.url, webchat: config.webchat.enabled }, config.webchat.enabled ? `web chat at ${running.url}/` : 'listening');
    return {
      url: running.url,
      context,
      stop: async () => {
        await running.stop();
        context.close();
        log.info('stopped');
      },
    };
  } catch (error) {
    context.close();
    throw error;
  }
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
