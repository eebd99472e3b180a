// Where the sync parses documents. A ParserPool runs parsers in child processes, off the event
// loop that answers /healthz and chats, each with a heap of its own (PARSE_MAX_MEMORY_MB) and a
// per-file time limit (PARSE_TIMEOUT_SECONDS): a parser over either is killed, that one file
// fails with the reason, and a fresh process takes the next. Processes, not worker threads: a
// worker that overruns its heap can abort the whole server (nodejs/node#47224), and under
// --max-old-space-size (as the Docker image runs) workers ignore their own limit
// (nodejs/node#43991). Parsers start with the first task and stop with close(). Without a pool
// (unit tests that build a source directly), the same tasks run in this thread: inProcessParsers.
import { fork, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DocumentTooLargeError, DocumentUnreadableError, ErrorCode, InternalError, ParseTimeoutError, type GroundworkError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { runParseTask, type ParseTaskName, type ParseTaskOptions, type ParseTaskResult } from './parse-tasks.js';
import type { ParseRequest, ParseResponse } from './parse-worker.js';

/** Runs parse tasks (parse-tasks.ts) by name, somewhere. */
export interface Parsers {
  run<T extends ParseTaskName>(task: T, bytes: Buffer, ...options: ParseTaskOptions<T>): Promise<ParseTaskResult<T>>;
}

/** Parses in this thread: for tests and tools that construct sources directly. */
export const inProcessParsers: Parsers = { run: runParseTask };

export interface ParserPoolOptions {
  /** Heap a parser may use, in MB (PARSE_MAX_MEMORY_MB). */
  maxMemoryMb: number;
  /** How long one task may take (PARSE_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** Parsers at once (tasks beyond wait their turn). */
  size?: number;
  logger?: Logger;
  /** The parser's module: parse-worker in this folder unless a test gives its own. */
  workerUrl?: URL;
}

interface Job {
  id: number;
  task: ParseTaskName;
  bytes: Buffer;
  options: unknown;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface Parser {
  child: ChildProcess;
  /** Loaded and listening: until then a task waits, and its time limit has not started. */
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** The end of what it wrote to stderr: how an out-of-memory death is told from others. */
  stderr: string;
}

// Under tsx (tests, benches) this file is .ts and so is the parser, which then needs tsx's loader;
// built into dist/ both are .js and run as they are.
const ownExtension = path.extname(fileURLToPath(import.meta.url));
const defaultWorkerUrl = new URL(`./parse-worker${ownExtension}`, import.meta.url);

/** This process's Node options for a parser: its loaders (tsx) yes; its heap size, debugger and profiler no. */
function parserExecArgv(script: URL, maxMemoryMb: number): string[] {
  const own = /^--(max[-_]old[-_]space[-_]size|inspect|cpu-prof|heap-prof)/;
  const inherited: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!;
    if (!own.test(arg)) inherited.push(arg);
    else if (!arg.includes('=') && /^--max[-_]old/.test(arg)) i++; // its value came as the next argument
  }
  if (script.pathname.endsWith('.ts') && !inherited.some((arg) => arg.includes('tsx'))) {
    inherited.push('--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href);
  }
  return [...inherited, `--max-old-space-size=${maxMemoryMb}`];
}

/** The error a parser reported, as the class its code stands for (a parser throws no others). */
function reportedError({ message, code }: { message: string; code: ErrorCode }): GroundworkError {
  if (code === ErrorCode.DocumentTooLarge) return new DocumentTooLargeError(message);
  if (code === ErrorCode.DocumentUnreadable) return new DocumentUnreadableError(message);
  return new InternalError(message);
}

/** Lets the process exit while a parser waits for work, and not while it has some. */
function hold(child: ChildProcess, busy: boolean): void {
  const handles = [child, child.channel, child.stderr] as Array<{ ref?(): void; unref?(): void } | null | undefined>;
  for (const handle of handles) (busy ? handle?.ref : handle?.unref)?.call(handle);
}

export class ParserPool implements Parsers {
  private readonly parsers = new Set<Parser>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly size: number;
  private readonly workerUrl: URL;

  constructor(private readonly options: ParserPoolOptions) {
    this.size = Math.max(1, options.size ?? 1);
    this.workerUrl = options.workerUrl ?? defaultWorkerUrl;
  }

  run<T extends ParseTaskName>(task: T, bytes: Buffer, ...options: ParseTaskOptions<T>): Promise<ParseTaskResult<T>> {
    if (this.closed) return Promise.reject(new InternalError('the parser pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, bytes, options: options[0], resolve: resolve as (result: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Stops every parser; tasks still waiting or running fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new InternalError('the parser pool was closed'));
    await Promise.all([...this.parsers].map((parser) => this.retire(parser, new InternalError('the parser pool was closed'))));
  }

  /** Process ids of the parsers running now (for tests: a stuck one is replaced, not reused). */
  get processIds(): number[] {
    return [...this.parsers].map((parser) => parser.child.pid!);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let parser = [...this.parsers].find((candidate) => candidate.job === null);
      if (!parser) {
        if (this.parsers.size >= this.size) return;
        parser = this.spawn();
      }
      this.assign(parser, this.queue.shift()!);
    }
  }

  private spawn(): Parser {
    const script = this.workerUrl;
    const child = fork(fileURLToPath(script), [], {
      execArgv: parserExecArgv(script, this.options.maxMemoryMb),
      serialization: 'advanced', // Buffers, Maps and Dates cross as they are
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const parser: Parser = { child, ready: false, job: null, timer: null, stderr: '' };
    // Buffers are outside the heap limit: should memory still run out, Linux is to kill the parser, not the server.
    if (process.platform === 'linux' && child.pid) void writeFile(`/proc/${child.pid}/oom_score_adj`, '1000').catch(() => {});
    this.parsers.add(parser);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      parser.stderr = (parser.stderr + text).slice(-4096);
    });
    child.on('message', (message: ParseResponse | { ready: true }) => {
      if ('ready' in message) {
        parser.ready = true;
        if (parser.job) this.start(parser, parser.job);
      } else this.answered(parser, message);
    });
    child.on('error', (error) => {
      this.options.logger?.warn({ err: error }, 'parser process failed; a new one takes the next file');
      void this.retire(parser, new DocumentUnreadableError(`its parser failed (${error.message})`));
    });
    child.on('exit', (code, signal) => {
      // stderr may still be draining: what it said decides the reason.
      const ended = () => {
        const outOfMemory = /heap out of memory|Allocation failed/i.test(parser.stderr);
        if (parser.job) this.options.logger?.warn({ code, signal, outOfMemory, task: parser.job.task }, 'parser process ended during a task');
        void this.retire(
          parser,
          outOfMemory
            ? new DocumentTooLargeError(`parsing it needs more than the ${this.options.maxMemoryMb} MB a parser may use (PARSE_MAX_MEMORY_MB); it was stopped`)
            : new DocumentUnreadableError(`its parser stopped unexpectedly (${signal ?? `exit code ${code}`})`),
        );
      };
      if (child.stderr && !child.stderr.destroyed && !child.stderr.readableEnded) child.stderr.once('close', ended);
      else ended();
    });
    return parser;
  }

  private assign(parser: Parser, job: Job): void {
    parser.job = job;
    hold(parser.child, true);
    if (parser.ready) this.start(parser, job);
  }

  private start(parser: Parser, job: Job): void {
    parser.timer = setTimeout(() => {
      const seconds = Math.round(this.options.timeoutMs / 100) / 10;
      this.options.logger?.warn({ task: job.task, timeoutMs: this.options.timeoutMs }, 'parser took too long; stopped');
      void this.retire(parser, new ParseTimeoutError(`parsing it took longer than ${seconds} s (PARSE_TIMEOUT_SECONDS); it was stopped`));
    }, this.options.timeoutMs);
    const request: ParseRequest = { id: job.id, task: job.task, bytes: job.bytes, options: job.options };
    parser.child.send(request);
  }

  private answered(parser: Parser, response: ParseResponse): void {
    const job = parser.job;
    if (!job || job.id !== response.id) return;
    if (parser.timer) clearTimeout(parser.timer);
    parser.job = null;
    parser.timer = null;
    hold(parser.child, false);
    if ('error' in response) job.reject(reportedError(response.error));
    else job.resolve(response.result);
    this.dispatch();
  }

  /** Ends a parser (stuck, crashed or no longer needed), failing its task with `reason`. */
  private async retire(parser: Parser, reason: Error): Promise<void> {
    if (!this.parsers.delete(parser)) return;
    if (parser.timer) clearTimeout(parser.timer);
    const job = parser.job;
    parser.job = null;
    job?.reject(reason);
    const { child } = parser;
    if (child.exitCode === null && child.signalCode === null) {
      hold(child, true); // until it has exited: an idle parser is not holding the process open
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    if (!this.closed) this.dispatch();
  }
}
