// Keeps the readers stored in the index in step with the access file: when its rules changed
// since the index last applied them, every document gets the readers the rules now give it,
// before anyone is answered from it (the server and the sync run this first).
import { readerChanges, type PassageIndex } from '../index/passage-index.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from './access-policy.js';

/** Returns how many documents got new readers (0 when the index already follows this policy). */
export async function applyAccessPolicy(index: PassageIndex, policy: AccessPolicy, logger?: Logger): Promise<number> {
  if ((await index.accessFingerprint()) === policy.fingerprint) return 0;
  const documents = await index.documentAccess();
  const held = new Map(documents.map((document) => [document.id, [...document.readers].sort().join('\n')]));
  const changes = readerChanges(documents.map((document) => ({ id: document.id, readers: policy.readersOf(document) })), held);
  await index.setReaders(changes, policy.fingerprint);
  const changed = changes.reduce((sum, change) => sum + change.documentIds.length, 0);
  logger?.info({ component: 'access', fingerprint: policy.fingerprint, documents: changed }, 'access rules applied to the index');
  return changed;
}
