// Evaluation questions, one JSON object per line (JSONL). A question is answerable when it names
// the documents that answer it (expected files or titles) or facts an answer must contain;
// otherwise it is one the documents do not answer, and the bot should say so.
import { z } from 'zod';
import { InvalidQuestionFileError, toGroundworkError } from '../errors.js';

const turn = z.strictObject({ role: z.enum(['user', 'assistant']), text: z.string().min(1) });
const strings = z.array(z.string().min(1));

const line = z
  .strictObject({
    id: z.string().min(1),
    question: z.string().min(1),
    lang: z.string().min(2).optional(),
    /** Paths relative to a folder source's root. */
    expect_files: strings.optional(),
    /** Titles of the documents that answer it (Confluence pages, SharePoint documents…). */
    expect_titles: strings.optional(),
    /** Strings a good answer contains. */
    answer_facts: strings.optional(),
    /** Strings a good answer must not contain. */
    must_not: strings.optional(),
    /** "unanswerable", or any label to group results by. */
    kind: z.string().min(1).optional(),
    /** Earlier turns of the conversation, oldest first. */
    history: z.array(turn).optional(),
    /** Restricts retrieval to these source names. */
    sources: strings.optional(),
  })
  .refine((q) => q.kind !== 'unanswerable' || (!q.expect_files?.length && !q.expect_titles?.length && !q.answer_facts?.length), {
    error: 'a question of kind "unanswerable" cannot name expected files, titles or answer facts',
  });

export interface EvalQuestion {
  id: string;
  question: string;
  lang: string;
  expectFiles: string[];
  expectTitles: string[];
  answerFacts: string[];
  mustNot: string[];
  kind: string;
  history: Array<{ role: 'user' | 'assistant'; text: string }>;
  sources?: string[];
  answerable: boolean;
  /** Where it was read from, for error messages: `file:line`. */
  origin: string;
}

/** Parses a question file; an invalid line fails the whole file with an error naming the line. */
export function parseQuestionFile(text: string, name: string): EvalQuestion[] {
  const questions: EvalQuestion[] = [];
  const ids = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const lineNumber = i + 1;
    if (raw.trim() === '') return;
    const where = `${name}:${lineNumber}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new InvalidQuestionFileError(`${where}: not valid JSON (${toGroundworkError(error).message})`, error);
    }
    const parsed = line.safeParse(value);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `"${issue.path.join('.')}" ` : ''}${issue.message}`);
      throw new InvalidQuestionFileError(`${where}: ${problems.join('; ')}`);
    }
    const q = parsed.data;
    const earlier = ids.get(q.id);
    if (earlier !== undefined) throw new InvalidQuestionFileError(`${where}: the id "${q.id}" is already used on line ${earlier}`);
    ids.set(q.id, lineNumber);
    const expectFiles = q.expect_files ?? [];
    const expectTitles = q.expect_titles ?? [];
    const answerFacts = q.answer_facts ?? [];
    const answerable = expectFiles.length > 0 || expectTitles.length > 0 || answerFacts.length > 0;
    questions.push({
      id: q.id,
      question: q.question,
      lang: q.lang ?? (/\p{Script=Han}/u.test(q.question) ? 'zh' : 'en'),
      expectFiles,
      expectTitles,
      answerFacts,
      mustNot: q.must_not ?? [],
      kind: q.kind ?? (answerable ? 'answerable' : 'unanswerable'),
      history: q.history ?? [],
      ...(q.sources ? { sources: q.sources } : {}),
      answerable,
      origin: where,
    });
  });
  if (questions.length === 0) throw new InvalidQuestionFileError(`${name}: holds no questions`);
  return questions;
}
