// The chat model behind generated answers: OpenAI, an OpenAI-compatible server or Azure OpenAI,
// through the official client, with an explicit timeout and one retry of our own (the client's
// default is ten minutes and two retries, too long for a chat turn).
import { countTokens } from 'gpt-tokenizer';
import OpenAI from 'openai';
import type { ChatEndpoint } from '../config.js';
import { ModelUnavailableError, toGroundworkError } from '../errors.js';
import { openAIClient } from './openai-client.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Completion {
  text: string;
  usage: { inputTokens: number; outputTokens: number };
}

export interface ChatModel {
  /** The model or deployment name, for logs and metrics. */
  readonly name: string;
  complete(messages: ChatMessage[]): Promise<Completion>;
  /**
   * Streams the answer: `onToken` gets each piece as it comes. A failure before the first piece
   * (including no first piece within the first-token timeout) is retried once.
   */
  stream(messages: ChatMessage[], onToken: (piece: string) => void): Promise<Completion>;
}

// A Retry-After longer than this is not waited for: the user gets the extractive answer instead.
const maxRetryWaitMs = 2000;

/** No first piece within the first-token timeout: as worth one retry as a dropped connection. */
class NoFirstTokenError extends ModelUnavailableError {}

function retryDelayMs(error: unknown): number | null {
  if (error instanceof OpenAI.APIUserAbortError || error instanceof NoFirstTokenError) return 0; // no first token in time
  if (!(error instanceof OpenAI.APIError)) return null;
  const retryable = error instanceof OpenAI.APIConnectionError || error.status === 429 || (error.status ?? 0) >= 500;
  if (!retryable) return null;
  const retryAfter = Number(error.headers?.get?.('retry-after'));
  if (Number.isFinite(retryAfter)) return retryAfter * 1000 <= maxRetryWaitMs ? retryAfter * 1000 : null;
  return 250;
}

export function createChatModel(endpoint: ChatEndpoint, timeoutMs: number, firstTokenTimeoutMs = Math.min(timeoutMs, 10_000)): ChatModel {
  const client = openAIClient(endpoint, { timeoutMs });
  const name = endpoint.provider === 'azure' ? endpoint.deployment : endpoint.model;

  const once = async (messages: ChatMessage[]): Promise<Completion> => {
    const response = await client.chat.completions.create({ model: name, messages, temperature: 0 });
    const text = response.choices?.[0]?.message?.content;
    if (typeof text !== 'string') throw new ModelUnavailableError('the model answered without text');
    return { text, usage: { inputTokens: response.usage?.prompt_tokens ?? 0, outputTokens: response.usage?.completion_tokens ?? 0 } };
  };

  const streamOnce = async (messages: ChatMessage[], onToken: (piece: string) => void, started: { value: boolean }): Promise<Completion> => {
    const abort = new AbortController();
    const firstToken = setTimeout(() => abort.abort(new NoFirstTokenError(`no answer within ${firstTokenTimeoutMs} ms`)), firstTokenTimeoutMs);
    try {
      const stream = await client.chat.completions.create({ model: name, messages, temperature: 0, stream: true }, { signal: abort.signal });
      let text = '';
      let finished = false;
      for await (const chunk of stream) {
        if (chunk.choices?.[0]?.finish_reason) finished = true;
        const piece = chunk.choices?.[0]?.delta?.content ?? '';
        if (piece === '') continue;
        clearTimeout(firstToken);
        started.value = true;
        text += piece;
        onToken(piece);
      }
      // Aborted after the headers came, the client ends the stream quietly rather than throwing.
      if (!started.value && abort.signal.aborted) throw abort.signal.reason;
      if (!started.value) throw new ModelUnavailableError('the model answered without text');
      // A stream that ends without a finish reason broke off: what came is not the whole answer.
      if (!finished) throw new ModelUnavailableError('the answer stream broke off');
      return { text, usage: { inputTokens: countTokens(messages.map((m) => m.content).join('\n')), outputTokens: countTokens(text) } };
    } finally {
      clearTimeout(firstToken);
    }
  };

  /** One retry, only for a failure the retry can help and only before anything reached the reader. */
  const withRetry = async (attempt: () => Promise<Completion>, canRetry: () => boolean): Promise<Completion> => {
    try {
      return await attempt();
    } catch (error) {
      const delay = canRetry() ? retryDelayMs(error) : null;
      if (delay === null) throw new ModelUnavailableError(`the chat model failed: ${toGroundworkError(error).message}`, error);
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        return await attempt();
      } catch (retryError) {
        throw new ModelUnavailableError(`the chat model failed twice: ${toGroundworkError(retryError).message}`, retryError);
      }
    }
  };

  return {
    name,
    complete: (messages) => withRetry(() => once(messages), () => true),
    stream: (messages, onToken) => {
      const started = { value: false };
      return withRetry(() => streamOnce(messages, onToken, started), () => !started.value);
    },
  };
}
