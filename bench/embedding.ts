// Embedding throughput of a sync: the 18F handbook embedded through the real openai client
// against the local OpenAI-protocol fake (fixed latency per request), against a keyword-only
// sync of the same folder in the same run; then the cost of re-syncs (unchanged, one page edited).
//   npm run bench:embedding [-- /path/to/folder]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AccessPolicy } from '../src/access/access-policy.js';
import { openSqliteStore, type SqliteStore } from '../src/index/sqlite-store.js';
import { runSync, type SyncOptions } from '../src/ingest/run-sync.js';
import { FolderSource } from '../src/ingest/sources/folder-source.js';
import { createEmbedder, type Embedder } from '../src/llm/embedder.js';
import { FakeOpenAI } from '../test/fakes/openai-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const original = path.resolve(process.argv[2] ?? path.join(here, '../../shared/data/handbooks/18f-tts-handbook'));
const requestLatencyMs = 150;
const dimensions = 1536;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-embedding-'));
const folder = path.join(work, 'docs');
fs.cpSync(original, folder, { recursive: true }); // a copy: one page gets edited below
const options: SyncOptions = { chunking: { maxTokens: 350, overlapTokens: 60 }, maxFileBytes: 50 * 1024 * 1024 };
const logger = pino({ level: 'silent' });

const fake = await new FakeOpenAI().start();
fake.embeddingLatencyMs = requestLatencyMs;
fake.defaultDimensions = dimensions;
const embedder: Embedder = createEmbedder(
  { provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'text-embedding-3-small', dimensions: null },
  { batchInputs: 256, batchTokens: 280_000, concurrency: 4 },
);

async function sync(store: SqliteStore, withEmbedder: Embedder | null) {
  const before = fake.embeddingRequests().length;
  const start = performance.now();
  const [report] = await runSync({ ...store, logger, access: AccessPolicy.open(), embedder: withEmbedder }, [new FolderSource({ name: 'docs', kind: 'folder', location: folder })], options);
  const ms = performance.now() - start;
  const requests = fake.embeddingRequests().slice(before);
  const inputs = requests.map((r) => (r.body.input as string[]).length);
  return { ms: Math.round(ms), report: report!, requests: requests.length, inputs: inputs.reduce((a, b) => a + b, 0), largestRequest: Math.max(0, ...inputs) };
}

const keywordIndex = openSqliteStore(path.join(work, 'keywords.db'));
const keywordOnly = await sync(keywordIndex, null);
const store = openSqliteStore(path.join(work, 'hybrid.db'));
const { index } = store;
const first = await sync(store, embedder);
const unchanged = await sync(store, embedder);
const page = fs.readdirSync(folder, { recursive: true }).map(String).find((file) => file.endsWith('.md'))!;
fs.appendFileSync(path.join(folder, page), '\n\nOne more paragraph, added for this benchmark, about nothing in particular.\n');
const edited = await sync(store, embedder);

const results = {
  corpus: original,
  documents: first.report.added,
  passages: await index.chunkCount(),
  vectors: await index.vectorCount(),
  dimensions,
  fakeLatencyPerRequestMs: requestLatencyMs,
  keywordOnlySyncMs: keywordOnly.ms,
  firstSync: {
    ms: first.ms,
    ratioToKeywordOnly: Number((first.ms / keywordOnly.ms).toFixed(2)),
    requests: first.requests,
    inputs: first.inputs,
    inputsPerRequest: Number((first.inputs / Math.max(1, first.requests)).toFixed(1)),
    largestRequest: first.largestRequest,
    passagesPerSecond: Math.round(first.inputs / (first.ms / 1000)),
  },
  unchangedResync: { ms: unchanged.ms, ratioToFirst: Number((unchanged.ms / first.ms).toFixed(3)), requests: unchanged.requests, reused: unchanged.report.vectors?.reused },
  onePageEdited: { ms: edited.ms, requests: edited.requests, inputsEmbedded: edited.inputs, reused: edited.report.vectors?.reused },
  indexMB: Number((store.sizeBytes() / 1024 / 1024).toFixed(1)),
  keywordIndexMB: Number((keywordIndex.sizeBytes() / 1024 / 1024).toFixed(1)),
};
console.log(JSON.stringify(results, null, 2));
keywordIndex.close();
store.close();
await fake.stop();
fs.rmSync(work, { recursive: true, force: true });
