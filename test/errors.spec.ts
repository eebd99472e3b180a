import assert from 'node:assert/strict';
import {
  ConfigError,
  DocumentUnreadableError,
  EmbeddingError,
  ErrorCode,
  exitCodeFor,
  GroundworkError,
  IndexUnavailableError,
  InternalError,
  InvalidQuestionError,
  InvalidQuestionFileError,
  ModelUnavailableError,
  ReindexRequiredError,
  SyncAlreadyRunningError,
  toGroundworkError,
} from '../src/errors.js';

describe('errors', () => {
  describe('toGroundworkError', () => {
    it('passes a GroundworkError through as it is', () => {
      const error = new DocumentUnreadableError('it is not a Confluence export page (no #main-content)');
      assert.equal(toGroundworkError(error), error);
    });

    it('turns any other Error into an internal error that keeps it as its cause and its message', () => {
      const original = new TypeError("Cannot read properties of undefined (reading 'children')");
      const error = toGroundworkError(original);
      assert.ok(error instanceof InternalError);
      assert.equal(error.code, ErrorCode.Internal);
      assert.equal(error.cause, original);
      assert.equal(error.message, "Cannot read properties of undefined (reading 'children')");
    });

    it('shows one short line: the first line of a long message, cut at 300 characters', () => {
      assert.equal(toGroundworkError(new Error('SQLITE_BUSY: database is locked\n    at Database.prepare (native)')).message, 'SQLITE_BUSY: database is locked');
      const long = toGroundworkError(new Error('x'.repeat(1000))).message;
      assert.equal(long.length, 300);
      assert.ok(long.endsWith('…'));
    });

    it('keeps a thrown string as the message, and never dumps a thrown object', () => {
      assert.equal(toGroundworkError('the export vanished').message, 'the export vanished');
      const secretive = { apiKey: 'sk-secret', toString: () => 'sk-secret' };
      const error = toGroundworkError(secretive);
      assert.equal(error.message, 'an unexpected error occurred');
      assert.equal(error.cause, secretive);
      assert.equal(toGroundworkError(undefined).message, 'an unexpected error occurred');
      assert.equal(toGroundworkError(new Error('')).message, 'Error', 'an Error without a message is named by its kind');
    });
  });

  describe('exitCodeFor', () => {
    it('is 2 for configuration and usage errors', () => {
      for (const error of [new ConfigError('PORT must be a whole number'), new InvalidQuestionError('The question is empty'), new InvalidQuestionFileError('q.jsonl: line 3: not valid JSON')]) {
        assert.equal(exitCodeFor(error), 2, error.name);
      }
    });

    it('is 1 for every other failure, unknown ones included', () => {
      const others = [
        new IndexUnavailableError('The index file cannot be opened'),
        new SyncAlreadyRunningError('a sync is running'),
        new ReindexRequiredError('run groundwork sync --reindex'),
        new ModelUnavailableError('the chat model failed'),
        new EmbeddingError('the embedding model failed'),
        new InternalError('the parser pool is closed'),
        new RangeError('Invalid array length'),
        'a string',
      ];
      for (const error of others) assert.equal(exitCodeFor(error), 1, String(error));
    });
  });

  it('every class carries its code, its own name and the cause it was given', () => {
    const cause = new Error('ECONNREFUSED');
    const cases: Array<[GroundworkError, ErrorCode, string]> = [
      [new ModelUnavailableError('the chat model failed', cause), ErrorCode.ModelUnavailable, 'ModelUnavailableError'],
      [new EmbeddingError('the embedding model failed', cause), ErrorCode.EmbeddingUnavailable, 'EmbeddingError'],
      [new ConfigError('Slack refused to connect', cause), ErrorCode.Config, 'ConfigError'],
      [new InternalError('the record of sync run 7 is missing', cause), ErrorCode.Internal, 'InternalError'],
      [new InvalidQuestionFileError('q.jsonl: cannot be read (EACCES)', cause), ErrorCode.InvalidQuestionFile, 'InvalidQuestionFileError'],
    ];
    for (const [error, code, name] of cases) {
      assert.ok(error instanceof GroundworkError);
      assert.deepEqual([error.code, error.name, error.cause], [code, name, cause]);
    }
  });
});
