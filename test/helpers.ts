import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig, type Config } from '../src/config.js';

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
