// Who may read each document, and who reads each reply. A document is readable by the union of
// the readers of every rule it matches (source, optional path glob, optional label), or by the
// default when it matches none. A document its export marks as restricted (the `restricted`
// label: Confluence page restrictions, SharePoint items with their own permissions) is matched
// only by rules naming one of its labels, and never falls to the default.
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import type { Place, Platform } from '../domain.js';
import { everyone, mayRead } from './principals.js';

/** The label an export gives a document whose own permissions narrow who may read it. */
export const restrictedLabel = 'restricted';

export interface AccessRule {
  source: string;
  path: string | null;
  label: string | null;
  readers: string[];
  /** Line of the rule in the access file, for messages. */
  line: number;
}

export interface AccessPolicyData {
  /** Readers of a document no rule matches. */
  default: 'everyone' | 'nobody';
  /** Group name -> its members' principals. */
  groups: Map<string, string[]>;
  rules: AccessRule[];
  /** A place principal (`slack-channel:C0IT`) -> the sources questions asked there are answered from. */
  channels: Map<string, string[]>;
  /** The file it was read from; null: no access file (everyone reads every document). */
  file: string | null;
}

/** Who reads what a turn replies, as the index filters by it. */
export interface TurnAudience {
  /** Principals of every reader of the reply where it is posted. */
  readers: string[];
  /**
   * In a shared place, the asker's own principals when the asker may read documents that the
   * place may not: a fuller answer can go to the asker alone. Null otherwise.
   */
  askerReaders: string[] | null;
  /** The sources the place answers from, when the access file narrows them (`channels:`). */
  sources?: string[];
}

/** Who asks, as the access file names people; null where nobody is identified (web chat, CLI without --as). */
export type Identity = { platform: Platform; userId: string } | null;

export class AccessPolicy {
  readonly fingerprint: string;
  private readonly matchers: Array<{ rule: AccessRule; matchesPath: (path: string) => boolean }>;
  /** Every principal some rule gives documents to. */
  private readonly mentioned: Set<string>;

  constructor(readonly data: AccessPolicyData) {
    this.matchers = data.rules.map((rule) => ({ rule, matchesPath: rule.path === null ? () => true : picomatch(rule.path, { dot: true }) }));
    this.mentioned = new Set(data.rules.flatMap((rule) => rule.readers));
    // Stored readers keep group names, so members can change without re-applying the rules.
    const rules = data.rules.map(({ source, path, label, readers }) => ({ source, path, label, readers: [...readers].sort() }));
    this.fingerprint = createHash('sha256').update(JSON.stringify({ default: data.default, rules })).digest('hex').slice(0, 16);
  }

  /** Without an access file: every document is readable by everyone. */
  static open(): AccessPolicy {
    return new AccessPolicy({ default: 'everyone', groups: new Map(), rules: [], channels: new Map(), file: null });
  }

  get restricts(): boolean {
    return this.data.file !== null;
  }

  /** The readers a document gets in the index. */
  readersOf(document: { source: string; path: string; labels: readonly string[] }): string[] {
    const labels = new Set(document.labels.map((label) => label.toLowerCase()));
    const restricted = labels.has(restrictedLabel);
    const readers = new Set<string>();
    let matched = false;
    for (const { rule, matchesPath } of this.matchers) {
      if (rule.source !== document.source || !matchesPath(document.path)) continue;
      if (rule.label === null ? restricted : !labels.has(rule.label.toLowerCase())) continue;
      matched = true;
      for (const reader of rule.readers) readers.add(reader);
    }
    if (!matched && !restricted && this.data.default === 'everyone') readers.add(everyone);
    return [...readers].sort();
  }

  /** A person's principals: everyone, themselves, and the groups they are in. */
  principalsOf(identity: Identity): string[] {
    if (!identity) return [everyone];
    const self = `${identity.platform}:${identity.userId}`;
    const groups = [...this.data.groups].filter(([, members]) => members.includes(self)).map(([name]) => `group:${name}`);
    return [everyone, self, ...groups];
  }

  /** Who reads a reply to this asker in this place, and the sources the place answers from. */
  audience(identity: Identity, place: Place): TurnAudience {
    const sources = this.sourcesOf(place);
    const own = this.principalsOf(identity);
    if (!place.shared) return { readers: own, askerReaders: null, ...(sources ? { sources } : {}) };
    const readers = [everyone, ...place.principals];
    // Only principals some rule names can open documents the place cannot read.
    const more = own.some((principal) => !readers.includes(principal) && this.mentioned.has(principal));
    return { readers, askerReaders: more ? [...new Set([...own, ...readers])] : null, ...(sources ? { sources } : {}) };
  }

  /**
   * False when no document of the source can be readable by these principals (no rule gives it
   * to them, and the default is nobody): such a source is not named to them.
   */
  mayReadSome(source: string, principals: readonly string[]): boolean {
    if (this.data.default === 'everyone' && principals.includes(everyone)) return true;
    return this.data.rules.some((rule) => rule.source === source && mayRead(rule.readers, principals));
  }

  /** True when a document with these readers may be shown to these principals. */
  mayRead(documentReaders: readonly string[], principals: readonly string[]): boolean {
    return mayRead(documentReaders, principals);
  }

  private sourcesOf(place: Place): string[] | undefined {
    if (!place.shared) return undefined;
    const lists = place.principals.flatMap((principal) => this.data.channels.get(principal) ?? []);
    return place.principals.some((principal) => this.data.channels.has(principal)) ? [...new Set(lists)] : undefined;
  }

  /** The rules in force, one line each, for admins. */
  describe(): string[] {
    if (!this.restricts) return ['No access file: every document is readable by everyone.'];
    return [
      `Access file ${this.data.file}: documents no rule matches are readable by ${this.data.default}.`,
      ...this.data.rules.map(
        (rule) => `${rule.source}${rule.path ? ` ${rule.path}` : ''}${rule.label ? ` [label ${rule.label}]` : ''} → ${rule.readers.join(', ')}`,
      ),
      ...[...this.data.channels].map(([place, sources]) => `${place} answers from ${sources.join(', ')}`),
    ];
  }
}
