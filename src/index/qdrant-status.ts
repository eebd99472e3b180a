// The line `groundwork status` shows for a Qdrant index (QdrantIndex.describe).
import type { QdrantDescription } from './qdrant-index.js';

export function qdrantStatusLine(description: QdrantDescription): string {
  const { url, alias } = description;
  if (!description.reachable) return `Qdrant: ${url} is not reachable: ${description.error}`;
  if (description.collection === null) return `Qdrant: ${url}, alias ${alias}: no collection yet (the next sync creates it)`;
  const where = description.aliased
    ? `alias ${alias} -> collection ${description.collection}`
    : `collection ${description.collection} (made before aliases: the next "groundwork sync --reindex" moves it behind the alias)`;
  const vectors = description.denseSize === null ? 'no dense vectors' : `dense vectors of ${description.denseSize} dimensions`;
  return `Qdrant: ${url}, ${where}, ${description.points} points, ${vectors}`;
}
