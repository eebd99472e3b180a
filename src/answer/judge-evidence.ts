// Decides what the retrieved passages support: an answer, only the closest passages (weak
// evidence, shown as such), or nothing. A passage's evidence is how much of the question it covers
// (IDF-weighted, chat filler counting little) or, with embeddings, how close it is in meaning.
// The floors are calibrated on realistic question sets (`groundwork eval`, bench/answer-quality.ts).
import type { Confidence, Passage } from '../domain.js';

export interface EvidenceFloors {
  /** Coverage of the question (0..1) at which a passage answers it. */
  answerScore: number;
  /** Coverage at which a passage is worth showing as the closest one found. */
  closestScore: number;
  /** With embeddings: cosine similarity at which a passage answers, or is close, whatever its words. */
  answerSimilarity: number;
  closestSimilarity: number;
}

export interface Judgement {
  confidence: Confidence;
  /** The passages that support the outcome, best first (empty for "none"). */
  passages: Passage[];
}

const reaches = (passage: Passage, score: number, similarity: number) => passage.score >= score || (passage.similarity !== undefined && passage.similarity >= similarity);

export function judgeEvidence(passages: Passage[], floors: EvidenceFloors): Judgement {
  const relevant = passages.filter((p) => reaches(p, floors.closestScore, floors.closestSimilarity));
  if (relevant.length === 0) return { confidence: 'none', passages: [] };
  if (relevant.some((p) => reaches(p, floors.answerScore, floors.answerSimilarity))) return { confidence: 'answer', passages: relevant };
  return { confidence: 'closest', passages: relevant };
}
