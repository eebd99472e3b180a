// Heading-aware chunking: each section is cut into chunks under a token budget, at sentence
// boundaries, and each chunk starts with the last sentences of the one before (the overlap). A
// chunk is located where its section is (a heading's anchor, a page, a slide, a sheet).
import { createHash } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer';
import type { Chunk, Section, SectionLocation } from '../domain.js';
import { splitSentences } from '../retrieval/tokenize.js';

export interface ChunkingOptions {
  maxTokens: number;
  overlapTokens: number;
}

interface Unit {
  text: string;
  tokens: number;
  /** Index of the line the unit came from: units of one line are joined by a space, lines by a newline. */
  line: number;
}

export function chunkId(documentId: string, position: number): string {
  return `${documentId}:${position}`;
}

export function chunkDocument(documentId: string, sections: Section[], options: ChunkingOptions): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of sections) {
    for (const text of packSection(section.text, options)) {
      const position = chunks.length;
      const chunk: Chunk = {
        id: chunkId(documentId, position),
        documentId,
        position,
        headingPath: section.headingPath,
        text,
        tokenCount: countTokens(text),
        contentHash: chunkHash(section.headingPath, text, section.location),
      };
      if (section.location) chunk.location = { ...section.location };
      chunks.push(chunk);
    }
  }
  return chunks;
}

/** The chunk's heading path, text and location: a chunk that moves (a new anchor, another page) hashes differently. */
function chunkHash(headingPath: string[], text: string, location: SectionLocation | undefined): string {
  const hash = createHash('sha256').update(headingPath.join('\u0000')).update('\u0001').update(text);
  if (location) hash.update('\u0001').update(JSON.stringify([location.anchor ?? null, location.page ?? null, location.slide ?? null, location.sheet ?? null]));
  return hash.digest('hex');
}

function toUnits(text: string, maxTokens: number): Unit[] {
  const units: Unit[] = [];
  text.split('\n').forEach((line, lineIndex) => {
    for (const sentence of splitSentences(line)) {
      const tokens = countTokens(sentence);
      if (tokens <= maxTokens) units.push({ text: sentence, tokens, line: lineIndex });
      // A single sentence over the whole budget (a long table row, a code line) is the one
      // thing cut: at word boundaries.
      else for (const piece of splitLongSentence(sentence, maxTokens)) units.push({ text: piece, tokens: countTokens(piece), line: lineIndex });
    }
  });
  return units;
}

function splitLongSentence(sentence: string, maxTokens: number): string[] {
  const pieces: string[] = [];
  const words = new Intl.Segmenter('zh', { granularity: 'word' });
  let current = '';
  for (const { segment } of words.segment(sentence)) {
    if (current !== '' && countTokens(current + segment) > maxTokens) {
      pieces.push(current.trim());
      current = '';
    }
    current += segment;
  }
  if (current.trim() !== '') pieces.push(current.trim());
  return pieces;
}

function join(units: Unit[]): string {
  let text = '';
  units.forEach((unit, i) => {
    if (i > 0) text += units[i - 1]!.line === unit.line ? ' ' : '\n';
    text += unit.text;
  });
  return text;
}

function packSection(text: string, { maxTokens, overlapTokens }: ChunkingOptions): string[] {
  const units = toUnits(text, maxTokens);
  const chunks: string[] = [];
  let current: Unit[] = [];
  let currentTokens = 0;
  let fresh = 0; // units in `current` not already emitted in an earlier chunk
  for (const unit of units) {
    if (current.length > 0 && currentTokens + unit.tokens > maxTokens) {
      chunks.push(join(current));
      const overlap: Unit[] = [];
      let overlapSize = 0;
      for (let i = current.length - 1; i >= 0; i--) {
        const candidate = current[i]!;
        if (overlapSize + candidate.tokens > overlapTokens || overlapSize + candidate.tokens + unit.tokens > maxTokens) break;
        overlap.unshift(candidate);
        overlapSize += candidate.tokens;
      }
      current = overlap;
      currentTokens = overlapSize;
      fresh = 0;
    }
    current.push(unit);
    currentTokens += unit.tokens;
    fresh++;
  }
  if (fresh > 0) chunks.push(join(current));
  return chunks;
}
