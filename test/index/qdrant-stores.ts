// A QdrantIndex on fresh collections for a test, with its own groundwork.db, and its clean-up.
import type { CollectionLayout } from '../../src/config.js';
import { createQdrantClient } from '../../src/index/qdrant-client.js';
import { QdrantIndex } from '../../src/index/qdrant-index.js';
import { openTestStore } from '../helpers.js';

let collections = 0;

/** A QdrantIndex on a fresh collection, with a fresh groundwork.db for its catalogue and term statistics. */
export function openQdrantStores(url: string, options: { apiKey?: string; timeoutMs?: number; layout?: CollectionLayout } = {}) {
  const store = openTestStore();
  const prefix = `test-${process.pid}-${Date.now().toString(36)}-${++collections}`;
  const index = new QdrantIndex(
    { url, apiKey: options.apiKey ?? null, collectionPrefix: prefix, timeoutMs: options.timeoutMs ?? 10_000, layout: options.layout },
    { catalogue: store.catalogue, termStatistics: store.termStatistics },
  );
  const client = createQdrantClient({ url, apiKey: options.apiKey ?? null, timeoutMs: 10_000 });
  return {
    index,
    catalogue: store.catalogue,
    store,
    client,
    close: async () => {
      store.close();
      // The alias goes with its collection; a collection made before aliases has the alias's name.
      const { collections: all } = await client.getCollections().catch(() => ({ collections: [] as Array<{ name: string }> }));
      for (const { name } of all) if (name === index.collectionName || name.startsWith(`${index.collectionName}-`)) await client.deleteCollection(name).catch(() => undefined);
    },
  };
}

