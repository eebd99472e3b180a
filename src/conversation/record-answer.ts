import type { Answer } from '../domain.js';
import type { FeedbackLog } from '../index/passage-index.js';
import type { Logger } from '../logger.js';

/** Keeps an answer given in a chat, so that feedback on it can be stored with it; a failure only loses that. */
export async function recordGivenAnswer(
  feedbackLog: FeedbackLog,
  logger: Logger,
  given: { messageId: string; platform: string; conversationId: string; question: string; answer: Answer },
): Promise<void> {
  const { answer, ...rest } = given;
  await feedbackLog
    .recordAnswer({ ...rest, answer: answer.text, citedDocumentIds: [...new Set(answer.citations.map((c) => c.passage.document.id))] })
    .catch((error: unknown) => logger.warn({ err: error }, 'could not record the answer for feedback'));
}
