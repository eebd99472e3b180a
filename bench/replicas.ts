// What sharing state between replicas costs, measured against one process in the same run:
//  1. the chat turn (de-duplication claim, remembered history, answer, remembering, the given
//     answer kept) with the catalogue, de-duplication, memory and term statistics in PostgreSQL,
//     against the same turn with them in groundwork.db and in the process; both over the same
//     Qdrant (the local fake, in a process of its own), the same questions, interleaved;
//  2. Slack's acknowledgement of 50 signed events sent at once, spread over two `groundwork serve`
//     processes sharing one PostgreSQL schema and one Qdrant, against the same 50 sent to one of them.
//   npx tsx bench/replicas.ts   (PostgreSQL at TEST_DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/test)
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { AppContext } from '../src/app-context.js';
import { loadConfig } from '../src/config.js';
import type { Presenter } from '../src/conversation/chat-turn.js';
import { parseQuestionFile } from '../src/eval/question-file.js';
import { createTestSchema, testDatabaseUrl, type TestSchema } from '../test/catalogue/postgres-test-schema.js';
import { FakeSlackApi, slackSignature } from '../test/fakes/slack-api.js';
import { slackEventEnvelope } from '../test/fakes/slack-events.js';
import { startQdrantFakeProcess } from '../test/fakes/qdrant-fake-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const tsxLoader = pathToFileURL(createRequire(path.join(repoRoot, 'package.json')).resolve('tsx')).href;
const questions = ['samples-dev.jsonl', 'samples-test.jsonl'].flatMap((file) =>
  parseQuestionFile(fs.readFileSync(path.join(repoRoot, 'eval', file), 'utf8'), file).map((q) => q.question),
);
const turnsPerSetup = Number(process.env.BENCH_TURNS ?? 400);
const concurrentEvents = 50;
const ackRounds = Number(process.env.BENCH_ACK_ROUNDS ?? 8);
const signingSecret = 'bench-signing-secret';
const silent = pino({ level: 'silent' });
const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const percentile = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
const round1 = (ms: number) => Math.round(ms * 10) / 10;
const summary = (values: number[]) => ({ n: values.length, p50: round1(percentile(values, 50)), p95: round1(percentile(values, 95)), p99: round1(percentile(values, 99)), mean: round1(values.reduce((s, v) => s + v, 0) / values.length) });

/** DATABASE_URL selecting the schema for every connection. */
function urlOf(schema: TestSchema): string {
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('options', `-c search_path=${schema.name}`);
  return url.href;
}

// 1. The chat turn, one process, catalogue in groundwork.db and state in the process vs all in PostgreSQL.
async function measureTurns(qdrantUrl: string, schema: TestSchema) {
  const base = { GROUNDWORK_DATA_DIR: '', LOG_LEVEL: 'silent', QDRANT_URL: qdrantUrl, TEAMS_ENABLED: 'false' };
  const contexts = {
    embedded: AppContext.fromConfig(loadConfig({ ...base, GROUNDWORK_DATA_DIR: tempDir('groundwork-bench-single-'), QDRANT_COLLECTION: 'bench-single' }, repoRoot), { logger: silent }),
    postgres: AppContext.fromConfig(
      loadConfig({ ...base, GROUNDWORK_DATA_DIR: tempDir('groundwork-bench-shared-'), QDRANT_COLLECTION: 'bench-shared', DATABASE_URL: urlOf(schema) }, repoRoot),
      { logger: silent },
    ),
  };
  const times: Record<keyof typeof contexts, number[]> = { embedded: [], postgres: [] };
  try {
    for (const context of Object.values(contexts)) {
      await context.ready();
      await context.sync({ requestedBy: 'bench' });
    }
    let message = 0;
    const presenter = (): Presenter => ({
      progress: async () => async () => {},
      answer: async () => `bench-message-${message++}`,
      reply: async () => {},
      refuse: async () => {},
      privately: async () => {},
      postLater: async () => {},
      fail: async () => {},
    });
    const turn = async (context: AppContext, n: number) => {
      const started = performance.now();
      const outcome = await context.chatTurn(
        {
          // Ten people, each asking in their own conversation: every turn reads and writes its memory.
          question: { text: questions[n % questions.length]!, asker: { platform: 'slack', userId: `U${n % 10}` }, conversation: { id: `slack:D${n % 10}` }, history: [] },
          place: { shared: false },
          delivery: { eventId: `Ev${n}` },
          dedupeKey: `Ev${n}`,
          remember: true,
          isAdmin: false,
          requestedBy: 'bench',
        },
        presenter,
      );
      if (outcome === 'error' || outcome === 'duplicate') throw new Error(`turn ${n} ended ${outcome}`);
      return performance.now() - started;
    };
    // Warm both (connections, JIT, caches), then interleave so that drift hits both alike.
    for (let n = 0; n < 20; n++) for (const context of Object.values(contexts)) await turn(context, 1_000_000 + n);
    for (let n = 0; n < turnsPerSetup; n++) {
      const order = n % 2 === 0 ? (['embedded', 'postgres'] as const) : (['postgres', 'embedded'] as const);
      for (const name of order) times[name].push(await turn(contexts[name], n));
    }
  } finally {
    await Promise.all(Object.values(contexts).map((context) => context.close()));
  }
  const embedded = summary(times.embedded);
  const postgres = summary(times.postgres);
  return {
    turns: turnsPerSetup,
    embedded,
    postgres,
    ratioP50: Math.round((postgres.p50 / embedded.p50) * 100) / 100,
    ratioMean: Math.round((postgres.mean / embedded.mean) * 100) / 100,
    addedMsP50: round1(postgres.p50 - embedded.p50),
  };
}

/** A `groundwork serve` process; resolves when it listens. */
async function startServe(name: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcessWithoutNullStreams }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, path.join(repoRoot, 'src/cli.ts'), 'serve'], {
    cwd: tempDir('groundwork-bench-cwd-'),
    env: { PATH: process.env.PATH, GROUNDWORK_DATA_DIR: tempDir(`groundwork-bench-${name}-`), PORT: '0', HOST: '127.0.0.1', ...env },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const exited = () => reject(new Error(`${name} exited while starting:\n${output.slice(-3000)}`));
    child.once('exit', exited);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`;
      if (!line.startsWith('{')) return;
      const parsed = JSON.parse(line) as { component?: string; url?: unknown };
      if (parsed.component === 'main' && typeof parsed.url === 'string') {
        child.off('exit', exited);
        resolve(parsed.url.replace(/\/$/, ''));
      }
    });
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  });
  return { url, child };
}

// 2. Slack acknowledgements of 50 events at once: two replicas against one.
async function measureAcks(qdrantUrl: string, schema: TestSchema) {
  const slack = await new FakeSlackApi().start();
  const env = { DATABASE_URL: urlOf(schema), QDRANT_URL: qdrantUrl, QDRANT_COLLECTION: 'bench-serve', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url, TEAMS_ENABLED: 'false' };
  const children: ChildProcessWithoutNullStreams[] = [];
  try {
    // The first finds the index empty and syncs before it listens; the second finds it filled.
    const a = await startServe('a', env);
    children.push(a.child);
    const b = await startServe('b', env);
    children.push(b.child);
    let next = 0;
    const answered = () => slack.calls.filter((call) => call.result?.ok && (call.args.blocks ?? []).some((block: { block_id?: string }) => block.block_id === 'feedback')).length;
    const event = () => {
      const n = next++;
      const ts = `17000${String(n).padStart(5, '0')}.000100`;
      return JSON.stringify(
        slackEventEnvelope(`EvBench${n}`, slack.botUserId, { type: 'app_mention', user: `U${n % 25}`, text: `<@${slack.botUserId}> ${questions[n % questions.length]}`, ts, channel: `C${n % 5}` }),
      );
    };
    /** Sends `concurrentEvents` events at once, spread over `urls` in turn; the time to each acknowledgement. Waits for every answer before it returns. */
    const burst = async (urls: string[]) => {
      const before = answered();
      const bodies = Array.from({ length: concurrentEvents }, event);
      const acks = await Promise.all(
        bodies.map(async (body, n) => {
          const started = performance.now();
          const response = await fetch(`${urls[n % urls.length]}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignature(signingSecret, body) }, body });
          const took = performance.now() - started;
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`acknowledged with ${response.status}`);
          return took;
        }),
      );
      await slack.until(() => answered() >= before + concurrentEvents, `${concurrentEvents} answers`, 120_000);
      return acks;
    };
    const acks = { oneReplica: [] as number[], twoReplicas: [] as number[] };
    await burst([a.url, b.url]); // warm-up
    for (let round = 0; round < ackRounds; round++) {
      const order = round % 2 === 0 ? (['oneReplica', 'twoReplicas'] as const) : (['twoReplicas', 'oneReplica'] as const);
      for (const name of order) acks[name].push(...(await burst(name === 'oneReplica' ? [a.url] : [a.url, b.url])));
    }
    return { events: concurrentEvents, rounds: ackRounds, oneReplica: summary(acks.oneReplica), twoReplicas: summary(acks.twoReplicas) };
  } finally {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await slack.stop();
  }
}

const qdrant = await startQdrantFakeProcess();
const schemas: TestSchema[] = [];
try {
  schemas.push(await createTestSchema(), await createTestSchema());
  const turns = await measureTurns(qdrant.url, schemas[0]!);
  const acks = await measureAcks(qdrant.url, schemas[1]!);
  console.log(JSON.stringify({ cores: os.cpus().length, node: process.version, turn: turns, slackAck: acks }, null, 2));
} finally {
  for (const schema of schemas) await schema.drop();
  await qdrant.stop();
}
