#!/usr/bin/env node
// groundwork serve | sync | ask | status | feedback | migrate | eval | access
import fs from 'node:fs';
import os from 'node:os';
import process from 'node:process';
import cliProgress from 'cli-progress';
import { Command, CommanderError } from 'commander';
import { pino } from 'pino';
import { accessView, accessViewText } from './access/access-view.js';
import type { Identity } from './access/access-policy.js';
import { parsePrincipal } from './access/principals.js';
import { answerToJson } from './answer/answer-json.js';
import { citationDetails, citationUrl } from './channels/citation-view.js';
import { AppContext } from './app-context.js';
import { loadConfig, parseSourceSpecs, type Config } from './config.js';
import type { Place } from './domain.js';
import { statusText } from './conversation/commands.js';
import { ConfigError, exitCodeFor, InvalidQuestionFileError, toGroundworkError } from './errors.js';
import { calibrateSimilarity, evalReportText } from './eval/eval-report.js';
import { parseQuestionFile } from './eval/question-file.js';
import { runEval, unmetThresholds } from './eval/run-eval.js';
import { syncReportText, syncRunLine } from './ingest/sync-report-text.js';
import { createSharedState } from './catalogue/shared-state.js';
import { openSqliteStore } from './index/sqlite-store.js';
import { QdrantIndex } from './index/qdrant-index.js';
import { qdrantStatusLine } from './index/qdrant-status.js';
import { madeBy } from './llm/embedder.js';
import { createLogger } from './logger.js';

// restify loads spdy, whose http-deceiver calls process.binding('http_parser'): Node warns
// (DEP0111) on every start although nothing here uses it. Only that one warning is dropped.
function silenceSpdyDeprecation(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
    if (code !== 'DEP0111') emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** Ends a command that threw, with the exit code the README documents (exitCodeFor). */
function fail(error: unknown): never {
  // Commander has printed its own message: help asked for (0), or a command line it cannot parse (usage: 2).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  process.stderr.write(`groundwork: ${toGroundworkError(error).message}\n`);
  process.exit(exitCodeFor(error));
}

/** CLI commands log to stderr, warnings and worse unless LOG_LEVEL asks for more detail than info. */
function openContext(config: Config): AppContext {
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  return AppContext.fromConfig(config, { logger: createLogger(level, pino.destination(2)) });
}

const program = new Command('groundwork')
  .description("Answers employees' questions from the company's documents, with citations")
  .showHelpAfterError()
  .exitOverride(); // commander's errors reach fail(), which gives usage errors their exit code

program
  .command('serve')
  .description('run the bot server (web chat, health, metrics); syncs the configured sources first when the index is empty')
  .action(async () => {
    const config = loadConfig();
    silenceSpdyDeprecation();
    const { serve } = await import('./main.js'); // loads the HTTP stack only when serving
    await serve(config);
  });

program
  .command('sync')
  .description('ingest the configured sources, or the ones given with --source')
  .option('-s, --source <spec>', 'a source as [name=]kind:PATH, kind folder or confluence, PATH a folder or .zip (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
  .option('--allow-mass-delete', 'delete documents gone from a source even when they are more than SYNC_MAX_DELETE_SHARE of it')
  .option('--reindex', 'parse every document and embed every passage again (needed after changing EMBEDDING_MODEL)')
  .action(async (options: { source: string[]; allowMassDelete?: boolean; reindex?: boolean }) => {
    const config = loadConfig();
    let specs = config.sources;
    if (options.source.length > 0) {
      try {
        specs = parseSourceSpecs(options.source.join(','), process.cwd());
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new ConfigError(`--source ${error.message}`, error);
      }
    }
    const context = openContext(config);
    const bar = new cliProgress.SingleBar(
      { format: '{source} [{bar}] {value}/{total} {file}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    try {
      const run = await context.sync({
        sources: specs,
        requestedBy: `cli:${os.userInfo().username}`,
        allowMassDelete: options.allowMassDelete,
        reindex: options.reindex,
        onProgress: ({ source, done, total, path }) => {
          const file = path ? path.slice(-40) : '';
          if (!started || done === 0) {
            if (started) bar.stop();
            bar.start(total, done, { source, file });
            started = true;
          } else bar.update(done, { source, file });
        },
      });
      if (started) bar.stop();
      for (const report of run.reports) process.stdout.write(`${syncReportText(report)}\n`);
      if (run.status === 'failed') process.exitCode = 1;
    } finally {
      await context.close();
    }
  });

/** `--as slack:U0ABC` or `--as teams:<Entra object id>`: whose access a command uses. */
function parseIdentity(value: string): NonNullable<Identity> {
  const person = parsePrincipal(value);
  if (person?.kind !== 'slack' && person?.kind !== 'teams') throw new ConfigError(`--as must be slack:<user id> or teams:<Entra object id> (got "${value}")`);
  return { platform: person.kind, userId: person.id };
}
const asOption = ['--as <platform:id>', "answer with this person's access (slack:<user id> or teams:<Entra object id>); without it, only documents everyone may read"] as const;

program
  .command('ask')
  .description('answer one question from the index')
  .option('--json', 'print one JSON object: {answer, grounded, citations}')
  .option(...asOption)
  .argument('<question...>', 'the question')
  .action(async (words: string[], options: { json?: boolean; as?: string }) => {
    const identity = options.as ? parseIdentity(options.as) : null;
    const context = openContext(loadConfig());
    try {
      const reply = await context.handleMessage({
        text: words.join(' '),
        asker: { platform: 'cli', userId: os.userInfo().username },
        conversation: { id: 'cli' },
        history: [],
        readers: context.config.access.principalsOf(identity),
      });
      if (reply.kind === 'text') {
        process.stdout.write(options.json ? `${JSON.stringify({ answer: reply.text, confidence: 'answer', grounded: true, citations: [] })}\n` : `${reply.text}\n`);
        return;
      }
      const json = answerToJson(reply.answer);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(json)}\n`);
        return;
      }
      const sources = reply.answer.citations.map((citation) => {
        const { n, passage } = citation;
        const where = citationUrl(passage) ?? `${passage.document.source}/${passage.document.path}`;
        const details = citationDetails(citation, reply.answer.text, ', ');
        return `[${n}] ${passage.document.title}: ${where}${details ? ` (${details})` : ''}`;
      });
      process.stdout.write(`${json.answer}\n${sources.length > 0 ? `\nSources:\n${sources.join('\n')}\n` : ''}`);
    } finally {
      await context.close();
    }
  });

program
  .command('status')
  .description('show the indexed sources, document and passage counts, index size and last sync')
  .action(async () => {
    const config = loadConfig();
    const context = openContext(config);
    try {
      // With Qdrant: where the alias points, or a clear line when Qdrant does not answer (the command then fails as before).
      const qdrant = context.index instanceof QdrantIndex ? await context.index.describe() : null;
      if (qdrant && !qdrant.reachable) process.stdout.write(`${qdrantStatusLine(qdrant)}\n`);
      const text = statusText(await context.catalogue.sourceStatuses(), await context.index.chunkCount());
      const size = (context.store.sizeBytes() / 1024 / 1024).toFixed(1);
      const space = await context.index.vectorSpace();
      const vectors = space
        ? `Vectors: ${await context.index.vectorCount()} passages, embedded by ${space.model} (${space.dimensions} dimensions)` +
          (context.embedder && !madeBy(space, context.embedder) ? `; EMBEDDING_MODEL is now ${context.embedder.model}: run "groundwork sync --reindex"` : '')
        : context.embedder
          ? `Vectors: none yet; the next sync embeds the passages with ${context.embedder.model}`
          : 'Vectors: none (keyword search only; set an embedding model for search by meaning)';
      const runs = (await context.catalogue.recentRuns(5)).map(
        (run) => `- ${syncRunLine(run)}`,
      );
      process.stdout.write(
        `${text}\nIndex: ${config.databasePath} (${size} MB, schema version ${context.store.schemaVersion})\n${qdrant ? `${qdrantStatusLine(qdrant)}\n` : ''}${vectors}\n` +
          (runs.length > 0 ? `Recent syncs:\n${runs.join('\n')}\n` : '') +
          `${config.access.describe().join('\n')}\n`,
      );
    } finally {
      await context.close();
    }
  });

program
  .command('feedback')
  .description('list the latest thumbs up and down left on answers in chats, with the question, the comment and the cited documents')
  .option('-n, --limit <count>', 'how many', (value: string) => Number.parseInt(value, 10), 20)
  .action(async (options: { limit: number }) => {
    const context = openContext(loadConfig());
    try {
      const { like, dislike } = await context.catalogue.feedbackCounts();
      const lines = (await context.catalogue.recentFeedback(options.limit)).map(
        (f) =>
          `- ${f.at.toISOString()} ${f.reaction === 'like' ? 'helpful' : 'NOT helpful'} (${f.platform}, ${f.userId}): "${f.question}"` +
          (f.comment ? `\n  comment: ${f.comment}` : '') +
          `\n  answer: ${f.answer.replace(/\s+/g, ' ').slice(0, 200)}\n  cited documents: ${f.citedDocumentIds.join(', ') || 'none'}`,
      );
      process.stdout.write(`Feedback: ${like} helpful, ${dislike} not helpful.\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}`);
    } finally {
      await context.close();
    }
  });

program
  .command('migrate')
  .description('create or upgrade the tables of the configured catalogue (PostgreSQL with DATABASE_URL, groundwork.db otherwise) and print its schema version')
  .action(async () => {
    const config = loadConfig();
    if (config.database) {
      const shared = createSharedState(config.database, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2)));
      try {
        const { from, to } = await shared.migrate();
        process.stdout.write(`PostgreSQL ${shared.target}: schema version ${to}${from === to ? ' (already up to date)' : ` (migrated from ${from})`}\n`);
      } finally {
        await shared.close();
      }
    } else {
      const store = openSqliteStore(config.databasePath); // migrates on opening
      try {
        process.stdout.write(`${store.file}: schema version ${store.schemaVersion}\n`);
      } finally {
        store.close();
      }
    }
  });

const share = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(`${name} must be a number from 0 to 1 (got "${value}")`);
  return n;
};

program
  .command('eval')
  .description('measure answers on a question file (JSONL): ranking, the three outcomes, facts, latency; exits 1 below a threshold')
  .requiredOption('-q, --questions <file...>', 'question files, one JSON object per line')
  .option('-k, --k <n>', 'the depth of recall@k', (value: string) => Number.parseInt(value, 10), 5)
  .option('--json', 'print one JSON object: the summary, per kind and language, and every question')
  .option('--min-recall <share>', `fail when recall@k is below this`, share('--min-recall'))
  .option('--min-mrr <share>', 'fail when MRR is below this', share('--min-mrr'))
  .option('--max-false-refusals <share>', 'fail when more answerable questions than this are answered "none"', share('--max-false-refusals'))
  .option('--min-refused <share>', 'fail when fewer unanswerable questions than this are not answered as "answer"', share('--min-refused'))
  .option('--calibrate', 'with embeddings: print the similarity floor these questions support for the configured model')
  .option(...asOption)
  .action(async (options: { questions: string[]; k: number; json?: boolean; minRecall?: number; minMrr?: number; maxFalseRefusals?: number; minRefused?: number; calibrate?: boolean; as?: string }) => {
    const identity = options.as ? parseIdentity(options.as) : null;
    if (!Number.isInteger(options.k) || options.k < 1 || options.k > 50) throw new ConfigError('--k must be a whole number from 1 to 50');
    const questions = options.questions.flatMap((file) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        throw new InvalidQuestionFileError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? toGroundworkError(error).message})`, error);
      }
      return parseQuestionFile(text, file);
    });
    const config = loadConfig();
    const context = openContext(config);
    try {
      if ((await context.index.chunkCount()) === 0) throw new ConfigError('The index is empty: run "groundwork sync" first');
      if (options.calibrate && !context.embedder) throw new ConfigError('--calibrate needs an embedding model (EMBEDDING_MODEL and an OpenAI, Azure or compatible endpoint)');
      const bar = new cliProgress.SingleBar({ format: 'eval [{bar}] {value}/{total}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
      bar.start(questions.length, 0);
      const report = await runEval({ answer: context.answer, readers: config.access.principalsOf(identity) }, questions, { k: options.k, topK: config.retrieval.topK, onProgress: (done) => bar.update(done) });
      bar.stop();
      const calibration = options.calibrate ? calibrateSimilarity(report.results) : undefined;
      if (options.json) process.stdout.write(`${JSON.stringify({ ...report, ...(options.calibrate ? { calibration } : {}) })}\n`);
      else {
        process.stdout.write(`${evalReportText(report)}\n`);
        if (options.calibrate) {
          process.stdout.write(
            calibration
              ? `\nSimilarity floor for ${context.embedder!.model}: RETRIEVAL_MIN_SIMILARITY=${calibration.floor} ` +
                  `(over ${calibration.answerable} answerable and ${calibration.unanswerable} unanswerable questions)\n` +
                  calibration.curve.map((c) => `  ${c.floor.toFixed(2)}: ${Math.round(c.answerableAbove * 100)}% of answerable above, ${Math.round(c.unanswerableBelow * 100)}% of unanswerable below`).join('\n') +
                  '\n'
              : '\nCannot calibrate: it needs answerable questions whose expected passage was found by meaning, and unanswerable ones.\n',
          );
        }
      }
      const unmet = unmetThresholds(report.overall, options, options.k);
      if (unmet.length > 0) {
        process.stderr.write(`groundwork eval: ${unmet.join('; ')}\n`);
        process.exitCode = 1;
      }
    } finally {
      await context.close();
    }
  });

program
  .command('access')
  .description('show what one person can read: in a DM, or in a channel with --channel (the sources, labels and number of documents)')
  .requiredOption('--platform <platform>', 'slack or teams')
  .requiredOption('--user <id>', 'the Slack user id, or the Entra object id in Teams')
  .option('--channel <id>', 'a Slack channel id, or a Teams channel id (with --team for its team)')
  .option('--team <id>', 'a Teams team id')
  .option('--json', 'print one JSON object')
  .action(async (options: { platform: string; user: string; channel?: string; team?: string; json?: boolean }) => {
    const identity = parseIdentity(`${options.platform}:${options.user}`);
    const config = loadConfig();
    const context = openContext(config);
    try {
      const place = placeOf(options);
      // The index's readers follow the access file before they are shown.
      await context.ready();
      const view = await accessView(context.index, config.access, identity, place);
      process.stdout.write(options.json ? `${JSON.stringify(view)}\n` : `${accessViewText(view)}\n`);
    } finally {
      await context.close();
    }
  });

function placeOf(options: { platform: string; channel?: string; team?: string }): Place {
  if (!options.channel && !options.team) return { shared: false };
  if (options.platform === 'slack') {
    if (!options.channel) throw new ConfigError('--team is for Teams; in Slack give the channel with --channel');
    return { shared: true, principals: [`slack-channel:${options.channel}`] };
  }
  return { shared: true, principals: [...(options.channel ? [`teams-channel:${options.channel}`] : []), ...(options.team ? [`teams-team:${options.team}`] : [])] };
}

program.parseAsync(process.argv).catch(fail);
