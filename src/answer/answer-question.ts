import type { Answer, Passage, Question, SourceStatus } from '../domain.js';
import type { PassageIndex, SyncState } from '../index/passage-index.js';
import { isChinese } from '../conversation/language.js';
import { ModelUnavailableError, type ChatModel } from '../llm/chat-model.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DenseSearch } from '../retrieval/dense-search.js';
import { retrieve, type RetrievalOptions } from '../retrieval/retrieve.js';
import { buildPrompt } from './build-prompt.js';
import { checkCitations } from './check-citations.js';
import { extractiveAnswer } from './extractive-answer.js';
import { standaloneQuestion } from './standalone-question.js';

export interface AnswerDependencies {
  index: PassageIndex;
  syncState: SyncState;
  retrieval: Omit<RetrievalOptions, 'sources'>;
  /** With embeddings, retrieval is hybrid: by meaning as well as by words. */
  dense?: DenseSearch | null;
  /** With a chat model, answers are generated from the passages; without, they are extracted. */
  chat?: { model: ChatModel; promptBudgetTokens: number } | null;
  metrics?: Metrics;
  logger?: Logger;
}

export interface AnswerOptions {
  /** Receives the generated answer piece by piece as the model streams it (never for extractive answers). */
  onToken?: (piece: string) => void;
}

/** retrieve -> build prompt -> generate (or extract) -> check citations; or say plainly that the documents do not say. */
export async function answerQuestion(deps: AnswerDependencies, question: Question, options: AnswerOptions = {}): Promise<Answer> {
  const query = await standaloneQuestion(question, deps.chat?.model ?? null);
  const stopTimer = deps.metrics?.retrievalDuration.startTimer();
  const { passages, termWeights } = await retrieve(deps.index, query, { ...deps.retrieval, sources: question.sources }, deps.dense);
  stopTimer?.();

  let answer: Answer;
  if (passages.length === 0) {
    const searched = await searchedSources(deps, question);
    answer = { text: notFoundText(question.text, searched), citations: [], grounded: false, mode: 'extractive', searched };
  } else if (deps.chat) {
    answer = await generatedAnswer(deps, deps.chat, question, passages, options).catch(async (error: unknown) => {
      // Only the model's failure falls back; anything else is a fault of ours and surfaces.
      if (!(error instanceof ModelUnavailableError)) throw error;
      deps.logger?.warn({ err: error }, 'chat model unavailable: answering extractively');
      deps.metrics?.modelFailures.inc();
      const { text, citations } = extractiveAnswer(passages, termWeights);
      return { text: `${text}\n\n${modelUnavailableNote(question.text)}`, citations, grounded: true, mode: 'extractive' as const, searched: [] };
    });
  } else {
    const { text, citations } = extractiveAnswer(passages, termWeights);
    answer = { text, citations, grounded: true, mode: 'extractive', searched: [] };
  }
  deps.metrics?.answers.inc({ grounded: String(answer.grounded), mode: answer.mode });
  return answer;
}

async function searchedSources(deps: AnswerDependencies, question: Question): Promise<SourceStatus[]> {
  return (await deps.syncState.sourceStatuses()).filter((s) => !question.sources || question.sources.includes(s.name));
}

async function generatedAnswer(
  deps: AnswerDependencies,
  chat: NonNullable<AnswerDependencies['chat']>,
  question: Question,
  passages: Passage[],
  options: AnswerOptions,
): Promise<Answer> {
  const prompt = buildPrompt(question.text, passages, chat.promptBudgetTokens, question.history);
  const completion = options.onToken ? await chat.model.stream(prompt.messages, options.onToken) : await chat.model.complete(prompt.messages);
  deps.metrics?.modelTokens.inc({ direction: 'input' }, completion.usage.inputTokens);
  deps.metrics?.modelTokens.inc({ direction: 'output' }, completion.usage.outputTokens);
  const { text, citations } = checkCitations(completion.text, prompt.included);
  // An answer that cites nothing is not grounded in the documents, whatever it says.
  return { text, citations, grounded: citations.length > 0, mode: 'generated', searched: citations.length > 0 ? [] : await searchedSources(deps, question) };
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
