// Who may read a document, and who will read a reply, are both sets of principals: `everyone`, a
// person (`slack:U0ABC`, `teams:<Entra object id>`), a place (`slack-channel:C0HR`,
// `teams-team:<id>`, `teams-channel:<id>`) or a group of people named in the access file
// (`group:hr`). A reader may see a document when the two sets meet.

export const everyone = 'everyone';

/** Principals that name one person. */
export const personKinds = ['slack', 'teams'] as const;
/** Principals that name a place: everyone in it reads what the bot posts there. */
export const placeKinds = ['slack-channel', 'teams-team', 'teams-channel'] as const;
const kinds = new Set<string>([...personKinds, ...placeKinds, 'group']);

export type PrincipalKind = (typeof personKinds)[number] | (typeof placeKinds)[number] | 'group';

/** `everyone`, or `<kind>:<id>` with a kind above; null when the text is neither. */
export function parsePrincipal(text: string): { kind: PrincipalKind | 'everyone'; id: string } | null {
  if (text === everyone) return { kind: 'everyone', id: '' };
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const kind = text.slice(0, colon);
  const id = text.slice(colon + 1);
  if (!kinds.has(kind) || id === '' || /\s/.test(id)) return null;
  return { kind: kind as PrincipalKind, id };
}

/** True when a document with these readers may be shown to a reader with these principals. */
export function mayRead(documentReaders: readonly string[], readerPrincipals: readonly string[]): boolean {
  return documentReaders.some((reader) => readerPrincipals.includes(reader));
}
