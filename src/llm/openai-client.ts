// The one place that builds an `openai` client for an endpoint: OpenAI or a compatible server, or
// Azure OpenAI with an API key or a managed identity (Entra ID). Retries are the caller's choice.
import OpenAI, { AzureOpenAI } from 'openai';
import type { ChatEndpoint, EmbeddingEndpoint } from '../config.js';

// The Entra ID scope of Azure OpenAI (Cognitive Services).
const azureScope = 'https://cognitiveservices.azure.com/.default';

export function openAIClient(endpoint: ChatEndpoint | EmbeddingEndpoint, options: { timeoutMs?: number } = {}): OpenAI {
  const common = { maxRetries: 0, ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) };
  if (endpoint.provider === 'openai') return new OpenAI({ apiKey: endpoint.apiKey ?? 'not-needed', baseURL: endpoint.baseUrl ?? undefined, ...common });
  const { credential } = endpoint;
  const auth = 'apiKey' in credential ? { apiKey: credential.apiKey } : { azureADTokenProvider: managedIdentityToken(credential.managedIdentityClientId) };
  return new AzureOpenAI({ endpoint: endpoint.endpoint, apiVersion: endpoint.apiVersion, deployment: endpoint.deployment, ...auth, ...common });
}

/**
 * The managed identity's token, fetched when needed and renewed before it expires. The identity
 * library is loaded on first use: it costs a quarter of a second and 25 MB that key users need not pay.
 */
function managedIdentityToken(clientId: string | null): () => Promise<string> {
  let provider: Promise<() => Promise<string>> | null = null;
  return async () => {
    provider ??= import('@azure/identity').then(({ getBearerTokenProvider, ManagedIdentityCredential }) =>
      getBearerTokenProvider(clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential(), azureScope),
    );
    return (await provider)();
  };
}
