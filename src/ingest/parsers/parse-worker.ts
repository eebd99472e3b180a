// A parser process: runs one parse task at a time for the pool (parser-pool.ts) and answers with
// the result or the error. Its heap is capped by the pool (--max-old-space-size); a task that takes
// too long gets the whole process killed, so nothing here needs to watch the time.
import { ErrorCode, toGroundworkError } from '../../errors.js';
import { runParseTask, type ParseTaskName } from './parse-tasks.js';

export interface ParseRequest {
  id: number;
  task: ParseTaskName;
  bytes: Uint8Array;
  options: unknown;
}

export type ParseResponse = { id: number; result: unknown } | { id: number; error: { message: string; code: ErrorCode } };

/** Sent once the parsers are loaded: a task's time limit starts from there. */
export const readySignal = { ready: true } as const;

if (!process.send) throw new Error('parse-worker runs as a child process of a ParserPool');
const send = (message: ParseResponse | typeof readySignal) => process.send!(message);
const run = runParseTask as (task: ParseTaskName, bytes: Buffer, options: unknown) => Promise<unknown>;

process.on('message', async ({ id, task, bytes, options }: ParseRequest) => {
  let response: ParseResponse;
  try {
    response = { id, result: await run(task, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options) };
  } catch (error) {
    const failure = toGroundworkError(error);
    response = { id, error: { message: failure.message, code: failure.code } };
  }
  try {
    send(response);
  } catch (error) {
    // A result that cannot cross to the sync is that file's failure, not the parser's.
    send({ id, error: { message: `its parsed form cannot be used (${toGroundworkError(error).message})`, code: ErrorCode.DocumentUnreadable } });
  }
});
// The sync that started it is gone (stopped, or killed): so is its parser.
process.on('disconnect', () => process.exit(0));
send(readySignal);
