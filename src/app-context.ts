// Builds every collaborator once from Config. Tests pass overrides instead of swapping modules.
import { answerQuestion } from './answer/answer-question.js';
import type { Config, SourceSpec } from './config.js';
import type { SyncReport } from './domain.js';
import { createMessageHandler, type MessageHandler } from './conversation/handle-message.js';
import { SqliteIndex } from './index/sqlite-index.js';
import { runSync, type SyncProgress } from './ingest/run-sync.js';
import type { DocumentSource } from './ingest/sources/document-source.js';
import { ConfluenceHtmlSource } from './ingest/sources/confluence-html-source.js';
import { FolderSource } from './ingest/sources/folder-source.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';

export interface AppOverrides {
  logger?: Logger;
  index?: SqliteIndex;
  metrics?: Metrics;
}

export function createSource(spec: SourceSpec, config: Config): DocumentSource {
  switch (spec.kind) {
    case 'folder':
      return new FolderSource(spec, config.ingest.zip);
    case 'confluence':
      return new ConfluenceHtmlSource(spec, { baseUrl: config.confluence.baseUrl, zipLimits: config.ingest.zip });
  }
}

export class AppContext {
  readonly handleMessage: MessageHandler;

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly index: SqliteIndex,
    readonly metrics: Metrics,
  ) {
    const answer = (question: Parameters<MessageHandler>[0]) =>
      answerQuestion({ index, syncState: index, retrieval: config.retrieval, metrics }, question);
    this.handleMessage = createMessageHandler({ answer, index, syncState: index, maxQuestionChars: config.maxQuestionChars });
  }

  static fromConfig(config: Config, overrides: AppOverrides = {}): AppContext {
    const logger = overrides.logger ?? createLogger(config.logLevel);
    const index = overrides.index ?? SqliteIndex.open(config.databasePath);
    const metrics = overrides.metrics ?? new Metrics({ processMetrics: true });
    return new AppContext(config, logger, index, metrics);
  }

  /** Syncs the given sources (the configured ones by default). */
  sync(specs: SourceSpec[] = this.config.sources, onProgress?: (progress: SyncProgress) => void): Promise<SyncReport[]> {
    return runSync(
      { index: this.index, syncState: this.index, logger: this.logger.child({ component: 'sync' }) },
      specs.map((spec) => createSource(spec, this.config)),
      {
        chunking: { maxTokens: this.config.ingest.chunkMaxTokens, overlapTokens: this.config.ingest.chunkOverlapTokens },
        maxFileBytes: this.config.ingest.maxFileBytes,
        onProgress,
      },
    );
  }

  close(): void {
    this.index.close();
  }
}
