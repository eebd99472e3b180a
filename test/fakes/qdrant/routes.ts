// What each Qdrant REST operation does to the in-memory store, by OpenAPI operationId. Operations
// the document defines but this table lacks are answered 501 by the server.
import { Collection, normaliseId, compareIds, type StoredPoint } from './collection.js';
import { NotImplemented, QdrantError, notFoundCollection } from './errors.js';
import { QueryEngine } from './query.js';

export class QdrantStore {
  readonly collections = new Map<string, Collection>();
  /** alias name -> collection name */
  readonly aliases = new Map<string, string>();

  /** A collection by its name or an alias of it (Qdrant resolves aliases in every point and info operation). */
  resolve(name: string): Collection {
    const collection = this.collections.get(name) ?? this.collections.get(this.aliases.get(name) ?? '');
    if (!collection) throw notFoundCollection(name);
    return collection;
  }
}

export interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
}
export type Handler = (store: QdrantStore, call: Call) => unknown;

function withPayload(point: StoredPoint, selector: unknown): Record<string, unknown> | undefined {
  if (selector === false || selector == null) return undefined;
  if (selector === true) return structuredClone(point.payload);
  const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => k in point.payload).map((k) => [k, structuredClone(point.payload[k])]));
  if (Array.isArray(selector)) return pick(selector as string[]);
  const s = selector as { include?: string[]; exclude?: string[] };
  if (s.include) return pick(s.include);
  if (s.exclude) return Object.fromEntries(Object.entries(structuredClone(point.payload)).filter(([k]) => !s.exclude!.includes(k)));
  return undefined;
}

function withVector(point: StoredPoint, selector: unknown): unknown {
  if (!selector) return undefined;
  const names = Array.isArray(selector) ? new Set(selector as string[]) : null;
  const entries = [...point.dense, ...point.sparse].filter(([name]) => !names || names.has(name));
  if (entries.length === 1 && entries[0]![0] === '' && !names) return [...(entries[0]![1] as number[])];
  return Object.fromEntries(entries.map(([name, v]) => [name, Array.isArray(v) ? [...v] : { indices: [...v.indices], values: [...v.values] }]));
}

function record(point: StoredPoint, payload: unknown, vector: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { id: point.id };
  const p = withPayload(point, payload);
  if (p !== undefined) out.payload = p;
  const v = withVector(point, vector);
  if (v !== undefined) out.vector = v;
  return out;
}

function updateResult(collection: Collection, query: URLSearchParams) {
  // Writes are applied before answering whatever `wait` says; `wait=false` only changes the reported status.
  return { operation_id: collection.nextOperation(), status: query.get('wait') === 'true' ? 'completed' : 'acknowledged' };
}

function selectPoints(collection: Collection, body: { points?: unknown[] | null; filter?: Record<string, any> | null }): StoredPoint[] {
  if (body.points) return body.points.map((id) => collection.points.get(normaliseId(id))).filter((p): p is StoredPoint => !!p);
  if (body.filter) return collection.matching(body.filter);
  throw new QdrantError(400, 'Bad request: Either points or filter must be specified');
}

function runQuery(collection: Collection, body: Record<string, any>) {
  if (body.shard_key != null) throw new NotImplemented('shard keys');
  const points = new QueryEngine(collection).run(body).map(({ point, score }) => ({ ...record(point, body.with_payload ?? false, body.with_vector ?? false), version: point.version, score }));
  return { points };
}

function applyAliasAction(collections: Map<string, Collection>, aliases: Map<string, string>, action: Record<string, any>): void {
  if (action.create_alias) {
    const { collection_name, alias_name } = action.create_alias;
    if (!collections.has(collection_name)) throw notFoundCollection(collection_name);
    if (collections.has(alias_name)) throw new QdrantError(400, `Wrong input: Collection \`${alias_name}\` already exists!`);
    aliases.set(alias_name, collection_name);
  } else if (action.delete_alias) {
    const { alias_name } = action.delete_alias;
    if (!aliases.delete(alias_name)) throw new QdrantError(404, `Not found: Alias ${alias_name} does not exists!`);
  } else if (action.rename_alias) {
    const { old_alias_name, new_alias_name } = action.rename_alias;
    const target = aliases.get(old_alias_name);
    if (target === undefined) throw new QdrantError(404, `Not found: Alias ${old_alias_name} does not exists!`);
    aliases.delete(old_alias_name);
    aliases.set(new_alias_name, target);
  }
}

const listAliases = (aliases: Map<string, string>, only?: string) =>
  [...aliases].filter(([, c]) => !only || c === only).sort(([a], [b]) => (a < b ? -1 : 1)).map(([alias_name, collection_name]) => ({ alias_name, collection_name }));

export const handlers: Record<string, Handler> = {
  get_collections: (store) => ({ collections: [...store.collections.keys()].map((name) => ({ name })) }),
  get_collection: (store, { params }) => store.resolve(params.collection_name!).info(),
  collection_exists: (store, { params }) => ({ exists: store.collections.has(params.collection_name!) || store.aliases.has(params.collection_name!) }),
  create_collection: (store, { params, body }) => {
    const name = params.collection_name!;
    if (store.collections.has(name) || store.aliases.has(name)) throw new QdrantError(400, `Wrong input: Collection \`${name}\` already exists!`);
    store.collections.set(name, new Collection(name, body ?? {}));
    return true;
  },
  update_collection: (store, { params, body }) => {
    const collection = store.collections.get(params.collection_name!);
    if (!collection) throw notFoundCollection(params.collection_name!);
    collection.update(body ?? {});
    return true;
  },
  delete_collection: (store, { params }) => {
    const name = params.collection_name!;
    const existed = store.collections.delete(name);
    for (const [alias, target] of store.aliases) if (target === name) store.aliases.delete(alias);
    return existed;
  },
  update_aliases: (store, { body }) => {
    // All or nothing: the actions run on copies, which replace the store only if every one succeeded.
    const aliases = new Map(store.aliases);
    for (const action of body.actions as Record<string, any>[]) applyAliasAction(store.collections, aliases, action);
    store.aliases.clear();
    for (const [alias, target] of aliases) store.aliases.set(alias, target);
    return true;
  },
  get_collections_aliases: (store) => ({ aliases: listAliases(store.aliases) }),
  get_collection_aliases: (store, { params }) => {
    const collection = store.resolve(params.collection_name!);
    return { aliases: listAliases(store.aliases, collection.name) };
  },
  create_field_index: (store, { params, query, body }) => {
    const collection = store.resolve(params.collection_name!);
    const schema = body.field_schema;
    if (schema == null) throw new NotImplemented('a payload index without field_schema (Qdrant infers the type from stored values)');
    const index = typeof schema === 'string' ? { data_type: schema } : { data_type: schema.type as string, params: schema };
    collection.payloadIndexes.set(body.field_name, index);
    return updateResult(collection, query);
  },
  delete_field_index: (store, { params, query }) => {
    const collection = store.resolve(params.collection_name!);
    collection.payloadIndexes.delete(params.field_name!);
    return updateResult(collection, query);
  },
  upsert_points: (store, { params, query, body }) => {
    const collection = store.resolve(params.collection_name!);
    if (body.shard_key != null || body.update_filter != null || body.update_mode != null) throw new NotImplemented('upsert with shard_key, update_filter or update_mode');
    const version = collection.nextOperation();
    // Checked in full before anything is written, so a bad point rejects the whole batch as Qdrant does.
    const rows: Array<[unknown, unknown, Record<string, unknown> | null]> = body.batch
      ? (body.batch.ids as unknown[]).map((id, i) => {
          const v = body.batch.vectors;
          const vector = Array.isArray(v) ? v[i] : Object.fromEntries(Object.entries<any[]>(v).map(([name, list]) => [name, list[i]]));
          return [id, vector, body.batch.payloads?.[i] ?? null];
        })
      : (body.points as any[]).map((p) => [p.id, p.vector, p.payload ?? null]);
    for (const [id, vector] of rows) {
      normaliseId(id);
      collection.prepareVectors(vector);
    }
    for (const [id, vector, payload] of rows) collection.upsert(id, vector, payload, version);
    return { operation_id: version, status: query.get('wait') === 'true' ? 'completed' : 'acknowledged' };
  },
  delete_points: (store, { params, query, body }) => {
    const collection = store.resolve(params.collection_name!);
    for (const point of selectPoints(collection, body)) collection.points.delete(point.id);
    return updateResult(collection, query);
  },
  set_payload: (store, { params, query, body }) => {
    const collection = store.resolve(params.collection_name!);
    if (body.key != null) throw new NotImplemented('set_payload with `key`');
    if (body.points) for (const id of body.points) if (!collection.points.has(normaliseId(id))) throw new QdrantError(404, `Not found: No point with id ${normaliseId(id)} found`);
    for (const point of selectPoints(collection, body)) Object.assign(point.payload, structuredClone(body.payload));
    return updateResult(collection, query);
  },
  overwrite_payload: (store, { params, query, body }) => {
    const collection = store.resolve(params.collection_name!);
    if (body.key != null) throw new NotImplemented('overwrite_payload with `key`');
    for (const point of selectPoints(collection, body)) point.payload = structuredClone(body.payload);
    return updateResult(collection, query);
  },
  delete_payload: (store, { params, query, body }) => {
    const collection = store.resolve(params.collection_name!);
    for (const point of selectPoints(collection, body)) for (const key of body.keys as string[]) delete point.payload[key];
    return updateResult(collection, query);
  },
  clear_payload: (store, { params, query, body }) => {
    const collection = store.resolve(params.collection_name!);
    for (const point of selectPoints(collection, body)) point.payload = {};
    return updateResult(collection, query);
  },
  get_points: (store, { params, body }) => {
    const collection = store.resolve(params.collection_name!);
    return (body.ids as unknown[])
      .map((id) => collection.points.get(normaliseId(id)))
      .filter((p): p is StoredPoint => !!p)
      .map((p) => record(p, body.with_payload ?? true, body.with_vector ?? false));
  },
  get_point: (store, { params }) => {
    const collection = store.resolve(params.collection_name!);
    const id = normaliseId(/^\d+$/.test(params.id!) ? Number(params.id) : params.id);
    const point = collection.points.get(id);
    if (!point) throw new QdrantError(404, `Not found: No point with id ${id} found`);
    return record(point, true, true);
  },
  scroll_points: (store, { params, body }) => {
    const collection = store.resolve(params.collection_name!);
    if (body?.order_by != null) throw new NotImplemented('scroll with order_by');
    const limit = body?.limit ?? 10;
    const from = body?.offset != null ? normaliseId(body.offset) : null;
    const all = collection.matching(body?.filter).filter((p) => from === null || compareIds(p.id, from) >= 0);
    const page = all.slice(0, limit);
    return { points: page.map((p) => record(p, body?.with_payload ?? true, body?.with_vector ?? false)), next_page_offset: all[limit]?.id ?? null };
  },
  count_points: (store, { params, body }) => ({ count: store.resolve(params.collection_name!).matching(body?.filter).length }),
  query_points: (store, { params, body }) => runQuery(store.resolve(params.collection_name!), body ?? {}),
  query_batch_points: (store, { params, body }) => {
    const collection = store.resolve(params.collection_name!);
    return (body.searches as Record<string, any>[]).map((search) => runQuery(collection, search));
  },
};
