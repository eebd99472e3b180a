import type { AccessPolicy } from '../access/access-policy.js';
import { mayRead } from '../access/principals.js';
import type { Answer, Citation, Passage, Question, SourceStatus } from '../domain.js';
import type { PassageIndex, SyncState } from '../index/passage-index.js';
import { isChinese } from '../conversation/language.js';
import { ModelUnavailableError } from '../errors.js';
import type { ChatModel } from '../llm/chat-model.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DenseSearch } from '../retrieval/dense-search.js';
import { retrieve, type RetrievalOptions } from '../retrieval/retrieve.js';
import { buildPrompt } from './build-prompt.js';
import { checkCitations } from './check-citations.js';
import { closestAnswer, supersededNote } from './closest-answer.js';
import { extractiveAnswer } from './extractive-answer.js';
import { judgeEvidence, type EvidenceFloors } from './judge-evidence.js';
import { gateReply, notInSourcesMarker, splitFollowUps } from './reply-markers.js';
import { standaloneQuestion } from './standalone-question.js';

export interface AnswerDependencies {
  index: PassageIndex;
  syncState: SyncState;
  retrieval: Omit<RetrievalOptions, 'sources' | 'readers'>;
  evidence: EvidenceFloors;
  /** With embeddings, retrieval is hybrid: by meaning as well as by words. */
  dense?: DenseSearch | null;
  /** With a chat model, answers are generated from the passages, and the model judges whether they answer; without, they are extracted. */
  chat?: { model: ChatModel; promptBudgetTokens: number } | null;
  metrics?: Metrics;
  logger?: Logger;
  /** Under access rules, sources the readers can read nothing of are not named in a "not found" reply. */
  access?: AccessPolicy;
  /** Citations of documents last updated longer ago than this are marked stale. */
  staleAfterDays?: number;
}

/** How one answer was made, for the turn's log line. */
export interface AnswerTrace {
  /** The text that was searched for (a follow-up rewritten to stand alone). */
  query: string;
  retrievalMs: number;
  /** From the model request to its first streamed piece (or, not streaming, to its whole reply); null without a model. */
  modelFirstTokenMs: number | null;
  /** Passages the prompt left out because its token budget was spent. */
  dropped: Passage[];
}

export interface AnswerOptions {
  /** This turn's logger (carrying its platform, conversation and delivery ids); the pipeline's own otherwise. */
  logger?: Logger;
  /** Receives how the answer was made, once it is. */
  onTrace?: (trace: AnswerTrace) => void;
  /** Receives the generated answer piece by piece as the model streams it (never for extractive answers). */
  onToken?: (piece: string) => void;
  /** Passages to rank for `onRetrieved` (at least the configured top K; the answer uses the first top K). */
  retrievalDepth?: number;
  /** Receives the text that was searched for and the passages retrieval ranked (for evaluation). */
  onRetrieved?: (retrieved: { query: string; passages: Passage[] }) => void;
  /**
   * Shared by answers to one question for several reader sets (a channel's, the asker's fuller
   * one): the follow-up is rewritten into a standalone question once, by whichever asks first.
   */
  rewrite?: { query?: Promise<string> };
}

/**
 * retrieve -> judge the evidence -> generate (the model judging too) or extract -> check citations;
 * or show the closest passages as such; or say plainly that the documents do not say.
 */
export async function answerQuestion(deps: AnswerDependencies, question: Question, options: AnswerOptions = {}): Promise<Answer> {
  return (await answerIfWanted(deps, question, options, () => true))!;
}

/**
 * The asker's fuller answer beside a shared place's: null unless it cites something the place's
 * readers may not read, and decided before any model call when the evidence holds nothing such.
 */
export async function answerBeyond(deps: AnswerDependencies, question: Question, placeReaders: readonly string[], options: AnswerOptions = {}): Promise<Answer | null> {
  const beyond = (passage: Passage) => !mayRead(passage.document.readers, placeReaders);
  const answer = await answerIfWanted(deps, question, options, (evidence) => evidence.some(beyond));
  return answer?.citations.some(({ passage }) => beyond(passage)) ? answer : null;
}

/** The answer, unless `wanted` turns down the evidence it would be made from (then null). */
async function answerIfWanted(deps: AnswerDependencies, question: Question, options: AnswerOptions, wanted: (evidence: Passage[]) => boolean): Promise<Answer | null> {
  const logger = options.logger ?? deps.logger;
  const log = logger?.child({ component: 'answer' });
  const rewriting = () => standaloneQuestion(question, deps.chat?.model ?? null, log);
  const query = await (options.rewrite ? (options.rewrite.query ??= rewriting()) : rewriting());
  const stopTimer = deps.metrics?.retrievalDuration.startTimer();
  const { topK } = deps.retrieval;
  const retrievalStarted = performance.now();
  const retrieval = await retrieve(
    deps.index,
    query,
    { ...deps.retrieval, topK: Math.max(topK, options.retrievalDepth ?? 0), sources: question.sources, readers: question.readers },
    deps.dense,
    logger?.child({ component: 'retrieval' }),
  );
  const trace: AnswerTrace = { query, retrievalMs: Math.round(performance.now() - retrievalStarted), modelFirstTokenMs: null, dropped: [] };
  stopTimer?.();
  options.onRetrieved?.({ query, passages: retrieval.passages });
  const { termWeights } = retrieval;
  // With a model, retrieval's floors only keep noise out of the prompt: the model judges the rest.
  const judged = judgeEvidence(retrieval.passages.slice(0, topK), deps.evidence);
  if (!wanted(judged.confidence === 'none' ? [] : judged.passages)) return null;

  let answer: Answer;
  if (judged.confidence === 'none') answer = await notFound(deps, question);
  else if (deps.chat) {
    answer = await generatedAnswer(deps, deps.chat, question, judged.passages, termWeights, options, trace, log).catch((error: unknown) => {
      // Only the model's failure falls back; anything else is a fault of ours and surfaces.
      if (!(error instanceof ModelUnavailableError)) throw error;
      log?.warn({ err: error }, 'chat model unavailable: answering extractively');
      deps.metrics?.modelFailures.inc();
      const fallback = withoutModel(question, judged.confidence, judged.passages, termWeights);
      return { ...fallback, text: `${fallback.text}\n\n${modelUnavailableNote(question.text)}` };
    });
  } else answer = withoutModel(question, judged.confidence, judged.passages, termWeights);
  deps.metrics?.answers.inc({ confidence: answer.confidence, mode: answer.mode });
  options.onTrace?.(trace);
  return markStale(answer, deps.staleAfterDays, new Date());
}

function markStale(answer: Answer, staleAfterDays: number | undefined, now: Date): Answer {
  if (staleAfterDays === undefined) return answer;
  const oldest = now.getTime() - staleAfterDays * 24 * 60 * 60 * 1000;
  return { ...answer, citations: answer.citations.map((citation) => ({ ...citation, stale: (citation.passage.document.updatedAt?.getTime() ?? Infinity) < oldest })) };
}

/** An extractive answer, or the closest passages, as the evidence supports. */
function withoutModel(question: Question, confidence: Answer['confidence'], passages: Passage[], termWeights: Map<string, number>): Answer {
  if (confidence === 'closest') return closest(question, passages, termWeights, 'extractive');
  const { text, citations } = extractiveAnswer(passages, termWeights);
  return { text: withNote(text, question, citations), citations, confidence: 'answer', grounded: true, mode: 'extractive', searched: [] };
}

function closest(question: Question, passages: Passage[], termWeights: Map<string, number>, mode: Answer['mode']): Answer {
  const { text, citations } = closestAnswer(question.text, passages, termWeights);
  return { text: withNote(text, question, citations), citations, confidence: 'closest', grounded: false, mode, searched: [] };
}

function withNote(text: string, question: Question, citations: Citation[]): string {
  const note = supersededNote(question.text, citations);
  return note === '' ? text : `${text}\n\n${note}`;
}

async function notFound(deps: AnswerDependencies, question: Question): Promise<Answer> {
  const searched = (await deps.syncState.sourceStatuses()).filter(
    (s) => (!question.sources || question.sources.includes(s.name)) && (deps.access?.mayReadSome(s.name, question.readers) ?? true),
  );
  return { text: notFoundText(question.text, searched), citations: [], confidence: 'none', grounded: false, mode: 'extractive', searched };
}

async function generatedAnswer(
  deps: AnswerDependencies,
  chat: NonNullable<AnswerDependencies['chat']>,
  question: Question,
  passages: Passage[],
  termWeights: Map<string, number>,
  options: AnswerOptions,
  trace: AnswerTrace,
  log: Logger | undefined,
): Promise<Answer> {
  const prompt = buildPrompt(question.text, passages, chat.promptBudgetTokens, question.history);
  trace.dropped = prompt.dropped;
  log?.debug({ included: prompt.included.length, dropped: prompt.dropped.length, tokens: prompt.tokens, budget: chat.promptBudgetTokens }, 'prompt built');
  const requested = performance.now();
  const firstToken = () => {
    trace.modelFirstTokenMs ??= Math.round(performance.now() - requested);
  };
  const onToken = options.onToken;
  const gated = onToken ? gateReply(onToken) : () => {};
  const completion = onToken
    ? await chat.model.stream(prompt.messages, (piece) => {
        firstToken();
        gated(piece);
      })
    : await chat.model.complete(prompt.messages);
  firstToken();
  deps.metrics?.modelTokens.inc({ direction: 'input' }, completion.usage.inputTokens);
  deps.metrics?.modelTokens.inc({ direction: 'output' }, completion.usage.outputTokens);
  const declined = completion.text.trimStart().startsWith(notInSourcesMarker);
  const reply = splitFollowUps(completion.text);
  const { text, citations } = checkCitations(reply.text, prompt.included);
  // The model found no answer in the passages, or wrote one that cites none of them: not grounded, whatever it says.
  if (declined || citations.length === 0) return closest(question, prompt.included, termWeights, 'generated');
  return {
    text: withNote(text, question, citations),
    citations,
    confidence: 'answer',
    grounded: true,
    mode: 'generated',
    searched: [],
    ...(reply.followUps.length > 0 ? { followUps: reply.followUps } : {}),
  };
}

export function modelUnavailableNote(question: string): string {
  return isChinese(question)
    ? '（语言模型暂时不可用，以上内容直接摘自文档。）'
    : '(The language model is unavailable right now, so this answer quotes the documents directly.)';
}

function formatTime(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never';
}

export function notFoundText(question: string, searched: SourceStatus[]): string {
  if (isChinese(question)) {
    const list = searched.map((s) => `- ${s.name}（${s.documents} 篇文档，最近同步：${formatTime(s.lastSyncAt)}）`).join('\n');
    return (
      '我在已检索的文档中没有找到这个问题的答案。\n' +
      (list ? `检索过的来源：\n${list}\n` : '目前还没有同步任何文档。\n') +
      '可以换用文档里可能出现的词语（例如制度、系统或团队的名称）重新提问，或者一次只问一件事。'
    );
  }
  const list = searched.map((s) => `- ${s.name} (${s.documents} documents, last synced ${formatTime(s.lastSyncAt)})`).join('\n');
  return (
    "I couldn't find the answer to that in the documents I searched.\n" +
    (list ? `Sources searched:\n${list}\n` : 'No documents have been synced yet.\n') +
    'Try rephrasing with words the documents would use (the name of a policy, system or team), or ask one thing at a time.'
  );
}
