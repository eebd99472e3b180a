// Pages that say they are no longer current — by their title ("Release process 2024
// (superseded)"), their folder ("archive/"), a label or the export's page status — or that a newer
// page of the same title in the same source replaces, rank below current ones and are cited with
// a warning.
import type { DocumentInfo } from '../domain.js';

const englishMarkers = /\b(?:superseded|archived?|deprecated|obsolete|outdated|old|legacy|retired|historical)\b/i;
const chineseMarkers = /已废弃|废弃|旧版|归档|过时|作废|停用/;

function marks(text: string): boolean {
  return englishMarkers.test(text) || chineseMarkers.test(text);
}

/** Whether a document's own metadata marks it as no longer current. */
export function markedSuperseded(document: { title: string; path: string; labels?: string[]; status?: string | null }): boolean {
  const folders = document.path.split('/').slice(0, -1);
  return (
    marks(document.title) ||
    folders.some((folder) => marks(folder.replace(/[_-]+/g, ' '))) ||
    (document.labels ?? []).some((label) => marks(label.replace(/[_-]+/g, ' '))) ||
    (document.status !== undefined && document.status !== null && marks(document.status))
  );
}

/** A title without years, versions and status words: "Release process 2024 (superseded)" -> "release process". */
export function titleStem(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(englishMarkers, ' ')
    .replace(chineseMarkers, ' ')
    .replace(/\b(?:19|20)\d\d\b|\bv?\d+(?:\.\d+)*\b/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Ids of documents that a newer document of the same source replaces: one whose title is the same
 * but for a year, a version or a status word ("Release process 2024 (superseded)" and "Release
 * Process"). Identical titles tell nothing (the parts of one long page, files named README), nor
 * does a title with too little left of it ("2024").
 */
export function replacedByNewer(documents: DocumentInfo[]): Set<string> {
  const groups = new Map<string, DocumentInfo[]>();
  const seen = new Set<string>();
  for (const document of documents) {
    if (seen.has(document.id) || !document.updatedAt) continue;
    seen.add(document.id);
    const stem = titleStem(document.title);
    if (stem.length < 3) continue;
    const key = `${document.source}\u0000${stem}`;
    groups.set(key, [...(groups.get(key) ?? []), document]);
  }
  const replaced = new Set<string>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const newest = group.reduce((a, b) => (b.updatedAt! > a.updatedAt! ? b : a));
    for (const document of group) if (document.title !== newest.title && document.updatedAt! < newest.updatedAt!) replaced.add(document.id);
  }
  return replaced;
}
