// A chunk's location as the stores hold it (JSON in SQLite, a payload field in Qdrant), read back
// field by field: what this code did not write (a malformed or foreign value) is left out.
import type { SectionLocation } from '../domain.js';

export function readLocation(stored: unknown): SectionLocation | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const value = stored as Record<string, unknown>;
  const location: SectionLocation = {};
  if (typeof value.anchor === 'string' && value.anchor !== '') location.anchor = value.anchor;
  if (isPositiveInteger(value.page)) location.page = value.page;
  if (isPositiveInteger(value.slide)) location.slide = value.slide;
  if (typeof value.sheet === 'string' && value.sheet !== '') location.sheet = value.sheet;
  return Object.keys(location).length > 0 ? location : undefined;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
