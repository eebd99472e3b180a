// A parser process for tests: parses like the real one, except that a file holding exactly
// "stall" never gets an answer, as a parser stuck in a loop would not.
import { runParseTask, type ParseTaskName } from '../../../src/ingest/parsers/parse-tasks.js';

const run = runParseTask as (task: ParseTaskName, bytes: Buffer, options: unknown) => Promise<unknown>;
process.on('message', async ({ id, task, bytes, options }: { id: number; task: ParseTaskName; bytes: Uint8Array; options: unknown }) => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.toString() === 'stall') return;
  process.send!({ id, result: await run(task, buffer, options) });
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
