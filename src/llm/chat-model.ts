// The chat model behind generated answers: OpenAI, an OpenAI-compatible server or Azure OpenAI,
// through the official client, with an explicit timeout and one retry of our own (the client's
// default is ten minutes and two retries, too long for a chat turn).
import OpenAI, { AzureOpenAI } from 'openai';
import type { ChatEndpoint } from '../config.js';
import { GroundworkError, ErrorCode } from '../errors.js';

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
}

export class ModelUnavailableError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.ModelUnavailable, message, { cause });
  }
}

// A Retry-After longer than this is not waited for: the user gets the extractive answer instead.
const maxRetryWaitMs = 2000;

function retryDelayMs(error: unknown): number | null {
  if (!(error instanceof OpenAI.APIError)) return null;
  const retryable = error instanceof OpenAI.APIConnectionError || error.status === 429 || (error.status ?? 0) >= 500;
  if (!retryable) return null;
  const retryAfter = Number(error.headers?.get?.('retry-after'));
  if (Number.isFinite(retryAfter)) return retryAfter * 1000 <= maxRetryWaitMs ? retryAfter * 1000 : null;
  return 250;
}

export function createChatModel(endpoint: ChatEndpoint, timeoutMs: number): ChatModel {
  const client =
    endpoint.provider === 'azure'
      ? new AzureOpenAI({ endpoint: endpoint.endpoint, apiKey: endpoint.apiKey, apiVersion: endpoint.apiVersion, deployment: endpoint.deployment, timeout: timeoutMs, maxRetries: 0 })
      : new OpenAI({ apiKey: endpoint.apiKey ?? 'not-needed', baseURL: endpoint.baseUrl ?? undefined, timeout: timeoutMs, maxRetries: 0 });
  const name = endpoint.provider === 'azure' ? endpoint.deployment : endpoint.model;

  const once = async (messages: ChatMessage[]): Promise<Completion> => {
    const response = await client.chat.completions.create({ model: name, messages, temperature: 0 });
    const text = response.choices?.[0]?.message?.content;
    if (typeof text !== 'string') throw new ModelUnavailableError('the model answered without text');
    return { text, usage: { inputTokens: response.usage?.prompt_tokens ?? 0, outputTokens: response.usage?.completion_tokens ?? 0 } };
  };

  return {
    name,
    async complete(messages) {
      try {
        return await once(messages);
      } catch (error) {
        const delay = retryDelayMs(error);
        if (delay === null) throw new ModelUnavailableError(`the chat model failed: ${(error as Error).message}`, error);
        await new Promise((resolve) => setTimeout(resolve, delay));
        try {
          return await once(messages);
        } catch (retryError) {
          throw new ModelUnavailableError(`the chat model failed twice: ${(retryError as Error).message}`, retryError);
        }
      }
    },
  };
}
