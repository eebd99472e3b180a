// One sync in a process of its own, so that its peak memory is its own (its parser processes'
// memory is theirs), parsing in a parser pool as the server does, or in this thread with --in-process:
//   tsx bench/ingest-worker.ts <kind> <path> <dataDir> [--in-process]
// Prints {firstMs, resyncMs, maxRssMB, report} as JSON.
import path from 'node:path';
import { pino } from 'pino';
import { AccessPolicy } from '../src/access/access-policy.js';
import type { SourceKind } from '../src/config.js';
import { createParserPool, createSource } from '../src/app-context.js';
import { loadConfig } from '../src/config.js';
import { openSqliteStore } from '../src/index/sqlite-store.js';
import { runSync } from '../src/ingest/run-sync.js';

const [kind, location, dataDir, mode] = process.argv.slice(2) as [SourceKind, string, string, string | undefined];
const config = loadConfig({ GROUNDWORK_DATA_DIR: dataDir }, process.cwd());
const store = openSqliteStore(path.join(dataDir, 'groundwork.db'));
const spec = { name: 'bench', kind, location };
const options = {
  chunking: { maxTokens: config.ingest.chunkMaxTokens, overlapTokens: config.ingest.chunkOverlapTokens },
  maxFileBytes: config.ingest.maxFileBytes,
};
const deps = { ...store, logger: pino({ level: 'silent' }), access: AccessPolicy.open() };
const pool = mode === '--in-process' ? null : createParserPool(config);
const parsers = pool ?? undefined;

let start = performance.now();
const [report] = await runSync(deps, [createSource(spec, config, parsers)], options);
const firstMs = performance.now() - start;
start = performance.now();
const [again] = await runSync(deps, [createSource(spec, config, parsers)], options);
const resyncMs = performance.now() - start;
store.close();
await pool?.close();
console.log(
  JSON.stringify({
    firstMs: Math.round(firstMs),
    resyncMs: Math.round(resyncMs),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    added: report!.added,
    unchanged: again!.unchanged,
    failed: report!.failed.length,
  }),
);
