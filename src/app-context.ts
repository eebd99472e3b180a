// Builds every collaborator once from Config. Tests pass overrides instead of swapping modules.
import { applyAccessPolicy } from './access/apply-access.js';
import { answerBeyond, answerQuestion, type AnswerDependencies, type AnswerOptions } from './answer/answer-question.js';
import type { Config, SourceSpec } from './config.js';
import type { Answer, Question, SyncRun } from './domain.js';
import { createChatTurn, type ChatTurn } from './conversation/chat-turn.js';
import { InProcessConversationMemory, type ConversationMemory } from './conversation/conversation-memory.js';
import { createMessageHandler, type MessageHandler } from './conversation/handle-message.js';
import { InProcessSeenMessages, type SeenMessages } from './conversation/seen-messages.js';
import { createFollowUps, type FollowUps } from './conversation/follow-ups.js';
import { createSuggestedPrompts, type SuggestedPrompt } from './conversation/suggested-prompts.js';
import { createSharedState, type SharedState } from './catalogue/shared-state.js';
import type { Catalogue } from './index/catalogue.js';
import type { Atomically, PassageIndex } from './index/passage-index.js';
import { QdrantIndex } from './index/qdrant-index.js';
import { openSqliteStore, type SqliteStore } from './index/sqlite-store.js';
import { SyncJob, type SyncRequest } from './ingest/sync-job.js';
import type { DocumentSource } from './ingest/sources/document-source.js';
import { ConfluenceSource } from './ingest/sources/confluence-source.js';
import { FolderSource } from './ingest/sources/folder-source.js';
import { SharePointSource } from './ingest/sources/sharepoint-source.js';
import type { ExportSourceOptions } from './ingest/sources/export-source.js';
import { officeLimits } from './ingest/parsers/office-zip.js';
import { inProcessParsers, ParserPool, type Parsers } from './ingest/parsers/parser-pool.js';
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
  /** groundwork.db: the catalogue, and the passage index unless `index` is given. */
  store?: SqliteStore;
  index?: PassageIndex;
  metrics?: Metrics;
  /** Where the Teams endpoint finds the Bot Framework's signing keys (tests serve their own). */
  teamsAdapter?: TeamsAdapterOptions;
  /** Where the sync parses documents (tests may give a pool with a worker of their own). */
  parsers?: Parsers & { close(): Promise<void> };
  /** Where chats remember their last turns, and which deliveries were already taken (in this process by default). */
  memory?: ConversationMemory;
  seen?: SeenMessages;
}

/** The pool of parser threads the sync uses, within the configured time and memory per file. */
export function createParserPool(config: Config, logger?: Logger): ParserPool {
  return new ParserPool({ maxMemoryMb: config.ingest.parse.maxMemoryMb, timeoutMs: config.ingest.parse.timeoutMs, logger });
}

/** A source as configured; `parsers` is where it parses (in this thread when not given). */
export function createSource(spec: SourceSpec, config: Config, parsers: Parsers = inProcessParsers): DocumentSource {
  const { zip, followSymlinks, maxFileBytes, parse } = config.ingest;
  const options: ExportSourceOptions = { zipLimits: zip, officeLimits: officeLimits(zip, parse.maxMemoryMb * 1024 * 1024), followSymlinks, maxFileBytes, parsers };
  switch (spec.kind) {
    case 'folder':
      return new FolderSource(spec, options);
    case 'confluence':
      return new ConfluenceSource(spec, { ...options, baseUrl: config.confluence.baseUrl });
    case 'sharepoint':
      return new SharePointSource(spec, { ...options, baseUrl: config.sharepoint.baseUrl });
  }
}

export class AppContext {
  /** The turn every chat channel runs. */
  readonly chatTurn: ChatTurn;
  /** One question outside any chat (`groundwork ask`). */
  readonly handleMessage: MessageHandler;
  /** Teams activities and Slack events already taken: the channels share it with the turn. */
  readonly seen: SeenMessages;
  /** The answer path alone (no commands): what `groundwork eval` measures. */
  readonly answer: (question: Question, options?: AnswerOptions) => Promise<Answer>;
  readonly syncJob: SyncJob;
  readonly embedder: Embedder | null;
  /** Questions offered on an empty conversation to readers with these principals. */
  readonly suggestedPrompts: (readers: string[]) => Promise<SuggestedPrompt[]>;
  /** The questions offered under an answer: the model's, else about the cited pages' other sections. */
  readonly followUps: FollowUps;
  /** Resolves when the stores can be used (the shared database migrated and answering); for start-up and /readyz. */
  readonly ready: () => Promise<void>;

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly index: PassageIndex,
    readonly catalogue: Catalogue,
    /** The file the catalogue lives in, for `groundwork status`. */
    readonly store: Pick<SqliteStore, 'file' | 'schemaVersion' | 'sizeBytes' | 'close'>,
    atomically: Atomically | undefined,
    readonly metrics: Metrics,
    private readonly parsers: Parsers & { close(): Promise<void> },
    memory: ConversationMemory,
    seen: SeenMessages,
    private readonly shared: SharedState | null,
  ) {
    const access = config.access;
    // Readers stored in the index follow the access file before anyone is answered from it; a
    // failed attempt is tried again by the next question or readiness probe.
    let accessApplied: Promise<unknown> | null = null;
    const accessReady = () =>
      (accessApplied ??= applyAccessPolicy(index, access, logger).catch((error: unknown) => {
        accessApplied = null;
        throw error;
      }));
    this.ready = async () => {
      await shared?.check();
      await accessReady();
    };
    const chat = config.chat ? { model: createChatModel(config.chat, config.chat.timeoutMs), promptBudgetTokens } : null;
    this.embedder = config.embedding ? createEmbedder(config.embedding, config.embedding) : null;
    const answerLogger = logger.child({ component: 'answer' });
    const dense = this.embedder ? new DenseSearch({ index, embedder: this.embedder, logger: answerLogger, metrics }) : null;
    const answering: AnswerDependencies = { index, syncState: catalogue, retrieval: config.retrieval, evidence: config.evidence, dense, chat, metrics, logger: answerLogger, access, staleAfterDays: config.staleAfterDays };
    this.answer = async (question, options) => {
      await accessReady();
      return answerQuestion(answering, question, options);
    };
    const fullerAnswer = async (question: Question, placeReaders: readonly string[], options?: AnswerOptions) => {
      await accessReady();
      return answerBeyond(answering, question, placeReaders, options);
    };
    this.handleMessage = createMessageHandler({ answer: this.answer, index, syncState: catalogue, feedbackLog: catalogue, access, maxQuestionChars: config.maxQuestionChars });
    this.seen = seen;
    this.suggestedPrompts = createSuggestedPrompts({ index, access, configured: config.suggestedPrompts });
    this.followUps = createFollowUps((documentId, readers) => index.documentHeadings(documentId, readers));
    this.syncJob = new SyncJob({
      index,
      catalogue,
      atomically,
      logger: logger.child({ component: 'sync' }),
      embedder: this.embedder,
      access,
      createSource: (spec) => createSource(spec, config, parsers),
      options: {
        chunking: { maxTokens: config.ingest.chunkMaxTokens, overlapTokens: config.ingest.chunkOverlapTokens },
        maxFileBytes: config.ingest.maxFileBytes,
        maxDeleteShare: config.sync.maxDeleteShare,
      },
    });
    this.chatTurn = createChatTurn({
      answer: this.answer,
      answerBeyond: fullerAnswer,
      index,
      syncState: catalogue,
      feedbackLog: catalogue,
      sync: { syncJob: this.syncJob, sources: config.sources },
      memory,
      seen,
      maxQuestionChars: config.maxQuestionChars,
      access,
      logger,
    });
  }

  static fromConfig(config: Config, overrides: AppOverrides = {}): AppContext {
    const logger = overrides.logger ?? createLogger(config.logLevel);
    const store = overrides.store ?? openSqliteStore(config.databasePath);
    // With DATABASE_URL, replicas share the catalogue, de-duplication and memory in PostgreSQL.
    const shared = config.database ? createSharedState(config.database, logger.child({ component: 'database' })) : null;
    const catalogue = shared?.catalogue ?? store.catalogue;
    // The embedded index shares the catalogue's file, and with it one transaction per document.
    // On Qdrant, the term statistics Qdrant cannot give stay beside the catalogue.
    const index =
      overrides.index ??
      (config.qdrant ? new QdrantIndex(config.qdrant, { catalogue, termStatistics: shared?.termStatistics ?? store.termStatistics }) : store.index);
    const atomically = index === store.index && catalogue === store.catalogue ? store.atomically : undefined;
    const metrics = overrides.metrics ?? new Metrics({ processMetrics: true });
    // Workers start with the first file a sync parses, not here.
    const parsers = overrides.parsers ?? createParserPool(config, logger.child({ component: 'parsers' }));
    const memory = overrides.memory ?? shared?.memory ?? new InProcessConversationMemory();
    const seen = overrides.seen ?? shared?.seen ?? new InProcessSeenMessages();
    return new AppContext(config, logger, index, catalogue, store, atomically, metrics, parsers, memory, seen, shared);
  }

  /** Runs a sync to its end (the configured sources unless the request names others). */
  sync(request: Partial<SyncRequest> & { requestedBy: string }): Promise<SyncRun> {
    return this.syncJob.run({ sources: this.config.sources, ...request });
  }

  /** Closes the stores, the parsers' workers and the shared database's pool; resolves when all are closed. */
  async close(): Promise<void> {
    this.store.close();
    await Promise.all([this.parsers.close(), this.shared?.close()]);
  }
}
