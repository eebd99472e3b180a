import { citationUrl } from '../channels/citation-view.js';
import type { Answer, SectionLocation } from '../domain.js';
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
  /** The link opened at the quoted section or page, where the source allows it (else the document's url). */
  sectionUrl: string | null;
  /** Where the passage is in its document: a heading's anchor, a PDF page, a slide, a sheet. */
  location: SectionLocation | null;
  /** When the document was last updated (ISO 8601), and whether that is longer ago than STALE_AFTER_DAYS. */
  updatedAt: string | null;
  stale: boolean;
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
    citations: answer.citations.map(({ n, passage, stale }) => ({
      n,
      title: passage.document.title,
      url: safeUrl(passage.document.url),
      path: passage.document.path,
      source: passage.document.source,
      score: passage.score,
      similarity: passage.similarity ?? null,
      sectionUrl: citationUrl(passage),
      location: passage.location ?? null,
      updatedAt: passage.document.updatedAt?.toISOString() ?? null,
      stale: stale ?? false,
    })),
  };
}
