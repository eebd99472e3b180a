import type { Answer, Question, SourceStatus } from '../domain.js';
import type { PassageIndex, SyncState } from '../index/passage-index.js';
import type { Metrics } from '../metrics.js';
import { retrieve, type RetrievalOptions } from '../retrieval/retrieve.js';
import { extractiveAnswer } from './extractive-answer.js';

export interface AnswerDependencies {
  index: PassageIndex;
  syncState: SyncState;
  retrieval: Omit<RetrievalOptions, 'sources'>;
  metrics?: Metrics;
}

/** retrieve -> (no model configured) extract sentences -> cite; or say plainly that the documents do not say. */
export async function answerQuestion(deps: AnswerDependencies, question: Question): Promise<Answer> {
  const stopTimer = deps.metrics?.retrievalDuration.startTimer();
  const { passages, termWeights } = await retrieve(deps.index, question.text, { ...deps.retrieval, sources: question.sources });
  stopTimer?.();

  let answer: Answer;
  if (passages.length === 0) {
    const searched = (await deps.syncState.sourceStatuses()).filter((s) => !question.sources || question.sources.includes(s.name));
    answer = { text: notFoundText(question.text, searched), citations: [], grounded: false, mode: 'extractive', searched };
  } else {
    const { text, citations } = extractiveAnswer(passages, termWeights);
    answer = { text, citations, grounded: true, mode: 'extractive', searched: [] };
  }
  deps.metrics?.answers.inc({ grounded: String(answer.grounded), mode: answer.mode });
  return answer;
}

const chinese = /[\p{Script=Han}]/u;

function formatTime(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never';
}

export function notFoundText(question: string, searched: SourceStatus[]): string {
  if (chinese.test(question)) {
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
