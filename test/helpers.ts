import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { EvidenceFloors } from '../src/answer/judge-evidence.js';
import { loadConfig, type Config } from '../src/config.js';
import { until } from './fakes/until.js';
import { openSqliteStore, type SqliteStore } from '../src/index/sqlite-store.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedData = path.resolve(repoRoot, '../shared/data');
export const handbookDir = path.join(sharedData, 'handbooks/18f-tts-handbook');

export const silentLogger = pino({ level: 'silent' });

export function tempDir(prefix = 'groundwork-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files (relative path -> content) under a new temporary folder and returns it. */
export function folderWith(files: Record<string, string | Buffer>): string {
  const dir = tempDir('groundwork-docs-');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** A config as the given environment would produce, with data in a fresh temporary folder. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ GROUNDWORK_DATA_DIR: tempDir('groundwork-data-'), LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...env }, tempDir());
}

/** Evidence floors for the answer path: an answer from this share of the question's words (or this similarity), the closest passages from half as much. */
export function evidence(answerScore: number, answerSimilarity = 0.4): EvidenceFloors {
  return { answerScore, closestScore: answerScore / 2, answerSimilarity, closestSimilarity: answerSimilarity * 0.75 };
}

const run = promisify(execFile);
// The child runs in a temporary folder, so name tsx's loader by its full path.
export const tsxLoader = pathToFileURL(createRequire(path.join(repoRoot, 'package.json')).resolve('tsx')).href;

/** Runs the groundwork CLI in a child process, as a user would. */
export async function groundwork(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', tsxLoader, path.join(repoRoot, 'src/cli.ts'), ...args], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: any;
}

/** A logger's lines, parsed, with a way to wait for one still to come: `createLogger(level, log.destination)`. */
export class CapturedLog {
  readonly lines: LogLine[] = [];
  private readonly events = new EventEmitter();
  readonly destination = {
    write: (line: string) => {
      this.lines.push(JSON.parse(line) as LogLine);
      this.events.emit('line');
    },
  };

  /** Lines with this message. */
  withMessage(message: string): LogLine[] {
    return this.lines.filter((line) => line.msg === message);
  }

  /** Resolves with the matching lines, written already or still to come, once there are `count`. */
  waitFor(match: (line: LogLine) => boolean, count = 1, timeoutMs = 10_000): Promise<LogLine[]> {
    return until(
      this.events,
      'line',
      () => {
        const found = this.lines.filter(match);
        return found.length >= count && found;
      },
      () => `expected ${count} matching log lines; logged: ${this.lines.map((line) => line.msg).join(' | ')}`,
      timeoutMs,
    );
  }
}

/** groundwork.db at `file`, in a new temporary folder unless given: the catalogue and the passage index over one connection. */
export function openTestStore(file = path.join(tempDir(), 'index.db')): SqliteStore {
  return openSqliteStore(file);
}
