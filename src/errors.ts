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

export class ConfigError extends GroundworkError {
  constructor(message: string) {
    super(ErrorCode.Config, message);
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

/** The index's vectors come from another embedding model (or size) than the configured one. */
export class ReindexRequiredError extends GroundworkError {
  constructor(message: string) {
    super(ErrorCode.ReindexRequired, message);
  }
}

/** An evaluation question file that cannot be read: names the file and line. */
export class InvalidQuestionFileError extends GroundworkError {
  constructor(message: string) {
    super(ErrorCode.InvalidQuestionFile, message);
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
