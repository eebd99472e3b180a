// The collections of one index and the alias readers address them by: readers and writers use
// `<prefix>-passages`, an alias of the collection in use, `<prefix>-passages-<n>` (its generation
// n). A re-index builds generation n+1 beside it and moves the alias in one request.
//
// An index made before aliases has a plain collection named `<prefix>-passages`: it is generation
// 0, used under its own name until the first re-index, whose switch deletes it and creates the
// alias in its place (an alias cannot share a collection's name). Between those two requests the
// name resolves to nothing; a reader that finds it so reads the newest generation instead.
import type { QdrantCall } from './qdrant-collection.js';

export function aliasName(prefix: string): string {
  return `${prefix}-passages`;
}

export function generationName(prefix: string, generation: number): string {
  return `${aliasName(prefix)}-${generation}`;
}

/** Where the index's collections stand. */
export interface Generations {
  /** The collection the alias points at; null without an alias. */
  aliased: string | null;
  /** A plain collection under the alias's name (generation 0, made before aliases). */
  legacy: boolean;
  /** The generation numbers of the `<prefix>-passages-<n>` collections, ascending. */
  numbers: number[];
}

export async function findGenerations(prefix: string, call: QdrantCall): Promise<Generations> {
  const alias = aliasName(prefix);
  const [{ aliases }, { collections }] = await Promise.all([
    call('reading the aliases', (client) => client.getAliases()),
    call('listing the collections', (client) => client.getCollections()),
  ]);
  const pattern = new RegExp(`^${alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`);
  const numbers = collections
    .map((collection) => pattern.exec(collection.name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return {
    aliased: aliases.find((a) => a.alias_name === alias)?.collection_name ?? null,
    legacy: collections.some((collection) => collection.name === alias),
    numbers,
  };
}

/**
 * Points the alias at `collection` in one `update_aliases` request (Qdrant applies its actions
 * together): readers go from the old collection to the new one with nothing in between. A plain
 * collection of the alias's name (generation 0) is deleted first: the one moment of the
 * migration when the name resolves to nothing.
 */
export async function pointAlias(prefix: string, collection: string, current: Generations, call: QdrantCall): Promise<void> {
  const alias = aliasName(prefix);
  if (current.legacy) await call('deleting the collection made before aliases', (client) => client.deleteCollection(alias));
  const actions = [
    ...(current.aliased !== null ? [{ delete_alias: { alias_name: alias } }] : []),
    { create_alias: { collection_name: collection, alias_name: alias } },
  ];
  await call('switching the alias', (client) => client.updateCollectionAliases({ actions }));
}
