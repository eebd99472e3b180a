// What one person can read in one place, for admins (`groundwork access`): the principals they
// read with, and per source the documents and labels within reach — in a channel, what the whole
// channel may read, and what the asker alone would be sent privately.
import type { Place } from '../domain.js';
import type { PassageIndex } from '../index/passage-index.js';
import type { AccessPolicy, Identity } from './access-policy.js';

export interface AccessView {
  identity: NonNullable<Identity>;
  place: Place;
  /** The principals the reply is filtered by. */
  readers: string[];
  /** The sources this place answers from, when the access file narrows them. */
  answersFrom: string[] | null;
  documents: number;
  sources: Array<{ name: string; documents: number; labels: Record<string, number> }>;
  /** In a channel: the documents the person alone may read there too (sent to them privately). */
  privately: { readers: string[]; documents: number } | null;
}

export async function accessView(index: PassageIndex, policy: AccessPolicy, identity: NonNullable<Identity>, place: Place): Promise<AccessView> {
  const audience = policy.audience(identity, place);
  const inScope = (source: string) => !audience.sources || audience.sources.includes(source);
  const all = (await index.documentAccess()).filter((document) => inScope(document.source));
  const readable = all.filter((document) => policy.mayRead(document.readers, audience.readers));
  const bySource = new Map<string, { name: string; documents: number; labels: Record<string, number> }>();
  for (const document of readable) {
    const entry = bySource.get(document.source) ?? { name: document.source, documents: 0, labels: {} };
    entry.documents++;
    for (const label of document.labels) entry.labels[label] = (entry.labels[label] ?? 0) + 1;
    bySource.set(document.source, entry);
  }
  const privately = audience.askerReaders
    ? { readers: audience.askerReaders, documents: all.filter((document) => policy.mayRead(document.readers, audience.askerReaders!) && !policy.mayRead(document.readers, audience.readers)).length }
    : null;
  return {
    identity,
    place,
    readers: audience.readers,
    answersFrom: audience.sources ?? null,
    documents: readable.length,
    sources: [...bySource.values()].sort((a, b) => a.name.localeCompare(b.name)),
    privately,
  };
}

export function accessViewText(view: AccessView): string {
  const who = `${view.identity.platform}:${view.identity.userId}`;
  const where = view.place.shared ? `in ${view.place.principals.join(' / ') || 'a group chat'}` : 'in a direct message';
  const lines = [`${who} ${where} reads as: ${view.readers.join(', ')}`];
  if (view.answersFrom) lines.push(`This channel answers from: ${view.answersFrom.join(', ')}`);
  lines.push(`${view.documents} document${view.documents === 1 ? '' : 's'} readable:`);
  for (const source of view.sources) {
    const labels = Object.entries(source.labels).sort(([a], [b]) => a.localeCompare(b)).map(([label, count]) => `${label} (${count})`);
    lines.push(`- ${source.name}: ${source.documents} document${source.documents === 1 ? '' : 's'}${labels.length > 0 ? `; labels: ${labels.join(', ')}` : ''}`);
  }
  if (view.privately) lines.push(`Sent privately as well: ${view.privately.documents} more document${view.privately.documents === 1 ? '' : 's'} that only ${who} may read here.`);
  return lines.join('\n');
}
