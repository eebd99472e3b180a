// What a re-index through the alias costs next to a plain sync of the same chunks, on the Qdrant
// fake in a child process (brute-force scoring, not Qdrant's speed: the ratio is the point):
//   npx tsx bench/qdrant-reindex.ts [chunks]   (default 10000)
// 1. a plain sync of generated documents (10 chunks each) into a fresh collection, with vectors
//    of a deterministic 64-dimension embedder;
// 2. `--reindex` with a 96-dimension model: a new collection beside the first, every document
//    written to both (the old one keyword-only), the copy of what the sync did not write, the
//    HNSW switch-on and the alias switch.
// Both are timed in the same run and given as a ratio; requests are counted on the client side,
// by method, with the points each upsert carried.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QdrantClient } from '@qdrant/js-client-rest';
import { pino } from 'pino';
import { AccessPolicy } from '../src/access/access-policy.js';
import { createQdrantClient } from '../src/index/qdrant-client.js';
import { QdrantIndex } from '../src/index/qdrant-index.js';
import { openSqliteStore } from '../src/index/sqlite-store.js';
import { runSync } from '../src/ingest/run-sync.js';
import { FolderSource } from '../src/ingest/sources/folder-source.js';
import type { Embedder } from '../src/llm/embedder.js';
import { qdrantOpenApiAvailable, qdrantOpenApiPath } from '../test/fakes/qdrant-server.js';
import { startQdrantFakeProcess } from '../test/fakes/qdrant-fake-process.js';

const chunkTarget = Number(process.argv[2] ?? 10_000);
const chunksPerDocument = 10;

function embedder(model: string, dimensions: number): Embedder {
  const vector = (text: string) => {
    const bytes = createHash('sha512').update(text).digest();
    const v = Float32Array.from({ length: dimensions }, (_, i) => bytes[i % bytes.length]! + i + 1);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  return { model, dimensions, batchInputs: 256, concurrency: 2, embedDocuments: async (texts) => texts.map(vector), embedQuery: async (text) => vector(text) };
}

/** A client that counts its calls by method, and the points of each upsert. */
function countingClient(client: QdrantClient) {
  const calls = new Map<string, number>();
  const upsertSizes: number[] = [];
  const counted = new Proxy(client, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        if (name === 'upsert') upsertSizes.push((args[1] as { points: unknown[] }).points.length);
        return value.apply(target, args);
      };
    },
  });
  const take = () => {
    const result = { requests: [...calls.values()].reduce((a, b) => a + b, 0), byMethod: Object.fromEntries([...calls].sort()), upserts: upsertSizes.length, pointsPerUpsert: upsertSizes.length ? Number((upsertSizes.reduce((a, b) => a + b, 0) / upsertSizes.length).toFixed(1)) : 0 };
    calls.clear();
    upsertSizes.length = 0;
    return result;
  };
  return { client: counted, take };
}

async function main() {
  if (!qdrantOpenApiAvailable()) throw new Error(`the Qdrant fake needs Qdrant's OpenAPI document at ${qdrantOpenApiPath}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-reindex-'));
  const folder = path.join(dir, 'docs');
  fs.mkdirSync(folder);
  const documents = Math.ceil(chunkTarget / chunksPerDocument);
  for (let d = 0; d < documents; d++) {
    const sections = Array.from({ length: chunksPerDocument }, (_, s) => `## Section ${s}\n\nPolicy ${d} section ${s}: rule ${d * 100 + s} about travel, leave and expenses for team ${d % 37}.`);
    fs.writeFileSync(path.join(folder, `doc-${d}.md`), `# Policy ${d}\n\n${sections.join('\n\n')}`);
  }
  const fake = await startQdrantFakeProcess();
  const logger = pino({ level: 'silent' });
  try {
    const store = openSqliteStore(path.join(dir, 'groundwork.db'));
    const { client, take } = countingClient(createQdrantClient({ url: fake.url, apiKey: null, timeoutMs: 120_000 }));
    const index = new QdrantIndex({ url: fake.url, apiKey: null, collectionPrefix: 'bench', timeoutMs: 120_000 }, { catalogue: store.catalogue, termStatistics: store.termStatistics, client });
    const sync = async (model: Embedder, reindex: boolean) => {
      const start = process.hrtime.bigint();
      const [report] = await runSync({ index, catalogue: store.catalogue, logger, access: AccessPolicy.open(), embedder: model }, [new FolderSource({ name: 'docs', kind: 'folder', location: folder })], {
        chunking: { maxTokens: 40, overlapTokens: 0 },
        maxFileBytes: 1 << 20,
        reindex,
      });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (report!.failed.length > 0 || report!.error) throw new Error(`the sync failed: ${report!.error ?? JSON.stringify(report!.failed[0])}`);
      return { ms: Math.round(ms), ...take() };
    };
    const plain = await sync(embedder('bench-small', 64), false);
    const chunks = await index.chunkCount();
    const reindexed = await sync(embedder('bench-large', 96), true);
    const described = await index.describe();
    console.log(
      JSON.stringify(
        {
          documents,
          chunks,
          plainSync: plain,
          reindexThroughAlias: reindexed,
          reindexOverPlainSync: Number((reindexed.ms / plain.ms).toFixed(2)),
          after: described,
        },
        null,
        2,
      ),
    );
    store.close();
  } finally {
    await fake.stop();
  }
}

await main();
