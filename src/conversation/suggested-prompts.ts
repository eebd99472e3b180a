// The questions a channel offers on an empty conversation (the web chat, Slack's assistant thread):
// those configured (SUGGESTED_PROMPTS), else questions about the documents the reader may read,
// most recently updated first. Never other people's questions: they can say more than they should.
import { LRUCache } from 'lru-cache';
import type { AccessPolicy } from '../access/access-policy.js';
import type { PassageIndex } from '../index/passage-index.js';
import { isChinese } from './language.js';

export interface SuggestedPrompt {
  /** What the button shows. */
  title: string;
  /** What clicking it asks. */
  message: string;
}

export const maxSuggestedPrompts = 4;

export interface SuggestedPromptSources {
  index: PassageIndex;
  access: AccessPolicy;
  /** SUGGESTED_PROMPTS: questions, as they are asked. */
  configured: string[];
}

/** Prompts for readers with these principals; those drawn from the index are kept five minutes (the listing reads every document). */
export function createSuggestedPrompts(deps: SuggestedPromptSources): (readers: string[]) => Promise<SuggestedPrompt[]> {
  const cache = new LRUCache<string, Promise<SuggestedPrompt[]>>({ max: 1000, ttl: 5 * 60_000 });
  return async (readers) => {
    if (deps.configured.length > 0) return deps.configured.slice(0, maxSuggestedPrompts).map((question) => ({ title: question, message: question }));
    const key = [...readers].sort().join('\n');
    let prompts = cache.get(key);
    if (!prompts) {
      prompts = fromDocuments(deps, readers);
      cache.set(key, prompts);
      prompts.catch(() => cache.delete(key));
    }
    return prompts;
  };
}

async function fromDocuments(deps: SuggestedPromptSources, readers: string[]): Promise<SuggestedPrompt[]> {
  const readable = (await deps.index.documentAccess()).filter((document) => deps.access.mayRead(document.readers, readers));
  readable.sort((a, b) => (b.updatedAt?.getTime() ?? 0) - (a.updatedAt?.getTime() ?? 0));
  const titles = [...new Set(readable.map((document) => document.title.trim()).filter((title) => title !== ''))];
  return titles.slice(0, maxSuggestedPrompts).map((title) => ({ title, message: isChinese(title) ? `“${title}”里有哪些规定？` : `What does “${title}” say?` }));
}
