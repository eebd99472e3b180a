// The Qdrant REST client as Groundwork uses it, and what its failures mean to the caller: an
// unreachable, slow, failing or garbled Qdrant makes the index unavailable, named with its URL
// (never the API key); a request Qdrant refuses as malformed is a bug of ours.
import { QdrantClient, QdrantClientTimeoutError } from '@qdrant/js-client-rest';
import { IndexUnavailableError, InternalError } from '../errors.js';

export interface QdrantConnectionOptions {
  /** http(s)://host[:port][/prefix]; without a port, the scheme's own (80, 443). */
  url: string;
  apiKey: string | null;
  timeoutMs: number;
}

export function createQdrantClient({ url, apiKey, timeoutMs }: QdrantConnectionOptions): QdrantClient {
  const parsed = new URL(url);
  const https = parsed.protocol === 'https:';
  const prefix = parsed.pathname.replace(/\/+$/, '');
  return new QdrantClient({
    url: parsed.origin,
    // The client would otherwise put 6333 in place of a port the URL leaves to its scheme.
    port: parsed.port ? Number(parsed.port) : https ? 443 : 80,
    ...(prefix ? { prefix } : {}),
    // As a header rather than `apiKey`, which would print its own console warning over http (config
    // allows http with a key on this machine only).
    ...(apiKey ? { headers: { 'api-key': apiKey } } : {}),
    https,
    timeout: timeoutMs,
    // Its background version check would be one more request per client, failing on its own.
    checkCompatibility: false,
  });
}

/** The Qdrant server's error message in a failed answer, when it gave one. */
function qdrantMessage(error: unknown): string | null {
  const data = (error as { data?: { status?: { error?: unknown } } }).data;
  return typeof data?.status?.error === 'string' ? data.status.error : null;
}

/** Turns a failed client call into the error the caller must tell apart. `action` says what was being done. */
export function explainQdrantFailure(error: unknown, url: string, action: string, timeoutMs: number): Error {
  const where = `Qdrant at ${url}`;
  if (error instanceof IndexUnavailableError || error instanceof InternalError) return error;
  if (error instanceof QdrantClientTimeoutError) {
    return new IndexUnavailableError(`${where} did not answer within ${timeoutMs / 1000} s (${action}); see QDRANT_TIMEOUT_SECONDS`, error);
  }
  if (error instanceof SyntaxError) return new IndexUnavailableError(`${where} answered ${action} with something that is not JSON`, error);
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') {
    const message = qdrantMessage(error);
    const detail = message ? `: ${message}` : '';
    if (status === 401 || status === 403) return new IndexUnavailableError(`${where} refused the request (${status}${detail}); check QDRANT_API_KEY`, error);
    if (status === 429 || status >= 500) return new IndexUnavailableError(`${where} failed while ${action} (${status}${detail})`, error);
    return new InternalError(`${where} refused ${action} (${status}${detail})`, error);
  }
  if (error instanceof Error && (error.name === 'QdrantClientResourceExhaustedError')) {
    return new IndexUnavailableError(`${where} is overloaded (${action}); try again shortly`, error);
  }
  if (error instanceof TypeError) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? error.message;
    return new IndexUnavailableError(`${where} cannot be reached (${reason}) while ${action}`, error);
  }
  return new IndexUnavailableError(`${where} failed while ${action}: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}`, error);
}
