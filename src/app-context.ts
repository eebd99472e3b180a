// Builds every collaborator once from Config. Tests pass overrides instead of swapping modules.
import { answerQuestion, type AnswerOptions } from './answer/answer-question.js';
import type { Config, SourceSpec } from './config.js';
import type { Answer, Question, SyncRun } from './domain.js';
import { createMessageHandler, type MessageHandler } from './conversation/handle-message.js';
import { SqliteIndex } from './index/sqlite-index.js';
import { SyncJob, type SyncRequest } from './ingest/sync-job.js';
import type { DocumentSource } from './ingest/sources/document-source.js';
import { ConfluenceSource } from './ingest/sources/confluence-source.js';
import { FolderSource } from './ingest/sources/folder-source.js';
import { SharePointSource } from './ingest/sources/sharepoint-source.js';
import type { TeamsAdapterOptions } from './channels/teams/teams-adapter.js';
import { createChatModel } from './llm/chat-model.js';
import { createEmbedder, type Embedder } from './llm/embedder.js';
import { DenseSearch } from './retrieval/dense-search.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';

// Tokens of instructions, sources and question sent to the chat model for one answer.
const promptBudgetTokens = 6000;

export interface AppOverrides {
  logger?: Logger;
  index?: SqliteIndex;
  metrics?: Metrics;
  /** Where the Teams endpoint finds the Bot Framework's signing keys (tests serve their own). */
  teamsAdapter?: TeamsAdapterOptions;
}

export function createSource(spec: SourceSpec, config: Config): DocumentSource {
  switch (spec.kind) {
    case 'folder':
      return new FolderSource(spec, config.ingest.zip);
    case 'confluence':
      return new ConfluenceSource(spec, { baseUrl: config.confluence.baseUrl, zipLimits: config.ingest.zip });
    case 'sharepoint':
      return new SharePointSource(spec, { baseUrl: config.sharepoint.baseUrl, zipLimits: config.ingest.zip });
  }
}

export class AppContext {
  readonly handleMessage: MessageHandler;
  /** The answer path alone (no commands): what `groundwork eval` measures. */
  readonly answer: (question: Question, options?: AnswerOptions) => Promise<Answer>;
  readonly syncJob: SyncJob;
  readonly embedder: Embedder | null;

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly index: SqliteIndex,
    readonly metrics: Metrics,
  ) {
    const chat = config.chat ? { model: createChatModel(config.chat, config.chat.timeoutMs), promptBudgetTokens } : null;
    this.embedder = config.embedding ? createEmbedder(config.embedding, config.embedding) : null;
    const answerLogger = logger.child({ component: 'answer' });
    const dense = this.embedder ? new DenseSearch({ index, embedder: this.embedder, logger: answerLogger, metrics }) : null;
    this.answer = (question, options) =>
      answerQuestion({ index, syncState: index, retrieval: config.retrieval, evidence: config.evidence, dense, chat, metrics, logger: answerLogger }, question, options);
    this.handleMessage = createMessageHandler({ answer: this.answer, index, syncState: index, feedbackLog: index, maxQuestionChars: config.maxQuestionChars });
    this.syncJob = new SyncJob({
      index,
      syncState: index,
      logger: logger.child({ component: 'sync' }),
      embedder: this.embedder,
      createSource: (spec) => createSource(spec, config),
      options: {
        chunking: { maxTokens: config.ingest.chunkMaxTokens, overlapTokens: config.ingest.chunkOverlapTokens },
        maxFileBytes: config.ingest.maxFileBytes,
        maxDeleteShare: config.sync.maxDeleteShare,
      },
    });
  }

  static fromConfig(config: Config, overrides: AppOverrides = {}): AppContext {
    const logger = overrides.logger ?? createLogger(config.logLevel);
    const index = overrides.index ?? SqliteIndex.open(config.databasePath);
    const metrics = overrides.metrics ?? new Metrics({ processMetrics: true });
    return new AppContext(config, logger, index, metrics);
  }

  /** Runs a sync to its end (the configured sources unless the request names others). */
  sync(request: Partial<SyncRequest> & { requestedBy: string }): Promise<SyncRun> {
    return this.syncJob.run({ sources: this.config.sources, ...request });
  }

  close(): void {
    this.index.close();
  }
}
