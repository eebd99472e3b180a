// What a sync would index of a source, for the tests of access labels: each item read and
// parsed as runSync does, by the path its document gets.
import type { DocumentSource } from '../../../src/ingest/sources/document-source.js';

export interface IndexedItem {
  title: string | null;
  labels: string[];
}

export async function indexedItems(source: DocumentSource): Promise<Map<string, IndexedItem>> {
  const listing = await source.list();
  try {
    const items = new Map<string, IndexedItem>();
    for (const item of listing.items) {
      const parsed = await item.parse(await item.read());
      items.set(parsed.path ?? item.path, { title: parsed.title, labels: [...(parsed.labels ?? [])].sort() });
    }
    return items;
  } finally {
    await source.close();
  }
}

/** The labels of the one indexed item at this path; fails the test when there is none. */
export function labelsAt(items: Map<string, IndexedItem>, path: string): string[] {
  const item = items.get(path);
  if (!item) throw new Error(`nothing indexed at ${path}; indexed: ${[...items.keys()].join(', ')}`);
  return item.labels;
}
