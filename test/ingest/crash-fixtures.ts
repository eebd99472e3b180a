// What the kill -9 tests of the sync share: the documents they rewrite between kills, and their seed.
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Paragraphs of each document: a document is whole when all of them are there, of one version. */
export const paragraphs = 10;

/** Writes document `i` of the export at `version`: each paragraph names both. */
export function writeVersionedDocument(folder: string, i: number, version: number): void {
  const body = Array.from({ length: paragraphs }, (_, p) => `Policy ${i} paragraph ${p} sets rule ${i * 100 + p} version ${version} in enough words to fill a chunk.`);
  fs.writeFileSync(path.join(folder, `doc-${String(i).padStart(3, '0')}.md`), `# Document ${i}\n\n${body.join('\n\n')}`);
}

/** CRASH_SEED when given (to repeat a run), a random seed otherwise. */
export function crashSeed(): number {
  const given = process.env.CRASH_SEED;
  if (given === undefined || given === '') return randomInt(2 ** 31);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`CRASH_SEED must be a whole number (got "${given}")`);
  return seed;
}
