// Errors the caller must tell apart carry a code; the channel decides the words the user sees.

export enum ErrorCode {
  Config = 'config_invalid',
  IndexUnavailable = 'index_unavailable',
  SourceUnavailable = 'source_unavailable',
  DocumentUnreadable = 'document_unreadable',
  InvalidQuestion = 'invalid_question',
  SyncAlreadyRunning = 'sync_already_running',
  ModelUnavailable = 'model_unavailable',
  EmbeddingUnavailable = 'embedding_unavailable',
  ReindexRequired = 'reindex_required',
  InvalidQuestionFile = 'invalid_question_file',
  DocumentTooLarge = 'document_too_large',
  ParseTimeout = 'parse_timeout',
  RequestNotAuthentic = 'request_not_authentic',
  /** A broken invariant or an error of unknown kind: a bug, not something the user can fix. */
  Internal = 'internal',
}

export class GroundworkError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting, an option or the services they name cannot be used: the operator must change something. */
export class ConfigError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.Config, message, { cause });
  }
}

export class IndexUnavailableError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.IndexUnavailable, message, { cause });
  }
}

export class SourceUnavailableError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.SourceUnavailable, message, { cause });
  }
}

export class DocumentUnreadableError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.DocumentUnreadable, message, { cause });
  }
}

export class InvalidQuestionError extends GroundworkError {
  constructor(message: string) {
    super(ErrorCode.InvalidQuestion, message);
  }
}

export class SyncAlreadyRunningError extends GroundworkError {
  constructor(message: string) {
    super(ErrorCode.SyncAlreadyRunning, message);
  }
}

/** The chat model failed, timed out or answered nothing usable (after its retry). */
export class ModelUnavailableError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.ModelUnavailable, message, { cause });
  }
}

/** The embedding model failed (after its retries) or answered vectors that cannot be used. */
export class EmbeddingError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.EmbeddingUnavailable, message, { cause });
  }
}

/** The index's vectors come from another embedding model (or size) than the configured one. */
export class ReindexRequiredError extends GroundworkError {
  constructor(message: string) {
    super(ErrorCode.ReindexRequired, message);
  }
}

/** An evaluation question file that cannot be read: names the file and line. */
export class InvalidQuestionFileError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.InvalidQuestionFile, message, { cause });
  }
}

/** A file, or what it unpacks to, or what parsing it needs, is over a limit (MAX_FILE_MB, ZIP_MAX_*, PARSE_MAX_MEMORY_MB). */
export class DocumentTooLargeError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.DocumentTooLarge, message, { cause });
  }
}

/** Parsing a file took longer than PARSE_TIMEOUT_SECONDS: its parser was stopped. */
export class ParseTimeoutError extends GroundworkError {
  constructor(message: string) {
    super(ErrorCode.ParseTimeout, message);
  }
}

/** A request that does not prove it comes from the platform it claims (signature, timestamp). */
export class RequestNotAuthenticError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.RequestNotAuthentic, message, { cause });
  }
}

/** Something that cannot happen did (a closed parser pool used, a run record gone), or an error of unknown kind. */
export class InternalError extends GroundworkError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.Internal, message, { cause });
  }
}

const maxShownLength = 300;

/**
 * Any thrown value as a GroundworkError: one passes through; anything else becomes an
 * InternalError keeping it as `cause`, with a message that is always one short line of text
 * (the first line of the original message, or the thrown string) and never an object dumped whole.
 */
export function toGroundworkError(error: unknown): GroundworkError {
  if (error instanceof GroundworkError) return error;
  const original = error instanceof Error ? error.message || error.name : typeof error === 'string' ? error : '';
  const line = original.split('\n', 1)[0]!.trim();
  const message = line === '' ? 'an unexpected error occurred' : line.length > maxShownLength ? `${line.slice(0, maxShownLength - 1)}…` : line;
  return new InternalError(message, error);
}

// Codes that mean the command was given or configured wrongly: the user can fix it without a retry.
const usageCodes: ReadonlySet<ErrorCode> = new Set([ErrorCode.Config, ErrorCode.InvalidQuestion, ErrorCode.InvalidQuestionFile]);

/** The CLI's exit code for an error that ended a command (the README's table): 2 for configuration and usage, 1 otherwise. */
export function exitCodeFor(error: unknown): 1 | 2 {
  return usageCodes.has(toGroundworkError(error).code) ? 2 : 1;
}
