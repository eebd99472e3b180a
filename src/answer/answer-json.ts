import type { Answer } from '../domain.js';
import { safeUrl } from '../safe-url.js';

export interface CitationJson {
  n: number;
  title: string;
  url: string | null;
  path: string;
  source: string;
  score: number;
  /** Cosine similarity to the question when the passage was found by meaning, else null. */
  similarity: number | null;
}

export interface AnswerJson {
  answer: string;
  confidence: Answer['confidence'];
  grounded: boolean;
  citations: CitationJson[];
}

/** The documented JSON form of an answer (`groundwork ask --json`); only cited sources are listed. */
export function answerToJson(answer: Answer): AnswerJson {
  return {
    answer: answer.text,
    confidence: answer.confidence,
    grounded: answer.grounded,
    citations: answer.citations.map(({ n, passage }) => ({
      n,
      title: passage.document.title,
      url: safeUrl(passage.document.url),
      path: passage.document.path,
      source: passage.document.source,
      score: passage.score,
      similarity: passage.similarity ?? null,
    })),
  };
}
