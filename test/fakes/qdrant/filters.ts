// Qdrant's payload filters over an in-memory point: boolean clauses (must, should, must_not,
// min_should, nested filters) and the field conditions an index relies on. Conditions the fake does
// not evaluate raise a NotImplemented error (a 501), never a guess.
import { NotImplemented, QdrantError } from './errors.js';

export interface FilterablePoint {
  /** Normalised id: a number, or a lowercase hyphenated UUID. */
  id: number | string;
  payload: Record<string, unknown>;
  vectorNames: Set<string>;
}

export interface FilterContext {
  normaliseId(id: unknown): number | string;
  /** Fields with a full-text index: `match.text` on them matches words, elsewhere a substring. */
  textIndexed(key: string): boolean;
}

/** `a.b[].c`, `a[0]` and `a[]` steps of a Qdrant JSON path (quoted keys are not supported). */
function parsePath(key: string): Array<string | '[]' | number> {
  const steps: Array<string | '[]' | number> = [];
  for (const part of key.split('.')) {
    const match = /^([^[\]]*)((?:\[\d*\])*)$/.exec(part);
    if (!match) throw new QdrantError(400, `Wrong input: invalid payload key \`${key}\``);
    if (match[1]) steps.push(match[1]);
    for (const bracket of match[2]!.match(/\[\d*\]/g) ?? []) steps.push(bracket === '[]' ? '[]' : Number(bracket.slice(1, -1)));
  }
  return steps;
}

/**
 * The values a path reaches. Qdrant reads through arrays only where the path says `[]`, and a final
 * array counts as its elements (a condition matches when any element does).
 */
export function valuesAt(payload: unknown, key: string): unknown[] {
  let current: unknown[] = [payload];
  for (const step of parsePath(key)) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step === '[]') {
        if (Array.isArray(value)) next.push(...value);
      } else if (typeof step === 'number') {
        if (Array.isArray(value) && step < value.length) next.push(value[step]);
      } else if (value && typeof value === 'object' && !Array.isArray(value) && step in value) {
        next.push((value as Record<string, unknown>)[step]);
      }
    }
    current = next;
  }
  return current.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];

function matches(condition: Record<string, any>, value: unknown, ctx: FilterContext, key: string): boolean {
  const match = condition.match;
  if (match) {
    if ('value' in match) return value === match.value;
    if ('any' in match) return (match.any as unknown[]).includes(value);
    if ('except' in match) return !(match.except as unknown[]).includes(value);
    if ('text' in match) {
      if (typeof value !== 'string') return false;
      if (!ctx.textIndexed(key)) return value.includes(match.text);
      const have = new Set(words(value));
      return words(match.text).every((w) => have.has(w));
    }
    throw new NotImplemented(`the match ${Object.keys(match).join('/')} condition`);
  }
  if (condition.range) {
    const range = condition.range as Record<string, number | string | null | undefined>;
    const numeric = Object.values(range).every((bound) => bound === null || bound === undefined || typeof bound === 'number');
    const measure = (v: unknown): number | null => {
      if (numeric) return typeof v === 'number' ? v : null;
      if (typeof v !== 'string') return null;
      const t = Date.parse(v);
      return Number.isNaN(t) ? null : t;
    };
    const x = measure(value);
    if (x === null) return false;
    const bound = (b: unknown) => (numeric ? (b as number) : Date.parse(b as string));
    if (range.gt != null && !(x > bound(range.gt))) return false;
    if (range.gte != null && !(x >= bound(range.gte))) return false;
    if (range.lt != null && !(x < bound(range.lt))) return false;
    if (range.lte != null && !(x <= bound(range.lte))) return false;
    return true;
  }
  throw new NotImplemented(`the field condition ${Object.keys(condition).filter((k) => k !== 'key').join('/') || '(empty)'}`);
}

function checkCondition(condition: Record<string, any>, point: FilterablePoint, ctx: FilterContext): boolean {
  if ('key' in condition) {
    const key = condition.key as string;
    if (condition.is_empty === true) return isEmpty(point.payload, key);
    if (condition.is_null === true) return valuesAt(point.payload, key).some((v) => v === null);
    if (condition.values_count) {
      const n = valuesAt(point.payload, key).length;
      const c = condition.values_count as Record<string, number | null | undefined>;
      return (c.gt == null || n > c.gt) && (c.gte == null || n >= c.gte) && (c.lt == null || n < c.lt) && (c.lte == null || n <= c.lte);
    }
    for (const unsupported of ['geo_bounding_box', 'geo_radius', 'geo_polygon']) if (condition[unsupported]) throw new NotImplemented(`the ${unsupported} condition`);
    if (!condition.match && !condition.range) throw new QdrantError(400, `Validation error in JSON body: [filter: At least one field condition must be specified for key \`${key}\`]`);
    return valuesAt(point.payload, key).some((value) => matches(condition, value, ctx, key));
  }
  if ('is_empty' in condition) return isEmpty(point.payload, condition.is_empty.key);
  if ('is_null' in condition) return valuesAt(point.payload, condition.is_null.key).some((v) => v === null);
  if ('has_id' in condition) return (condition.has_id as unknown[]).some((id) => ctx.normaliseId(id) === point.id);
  if ('has_vector' in condition) return point.vectorNames.has(condition.has_vector);
  if ('nested' in condition) {
    const { key, filter } = condition.nested as { key: string; filter: Record<string, any> };
    // Each array element is checked on its own: all of the nested filter must hold for one element.
    return valuesAt(point.payload, key).some((element) => element && typeof element === 'object' && matchesFilter(filter, { id: point.id, payload: element as Record<string, unknown>, vectorNames: new Set() }, ctx));
  }
  if ('must' in condition || 'should' in condition || 'must_not' in condition || 'min_should' in condition) return matchesFilter(condition, point, ctx);
  throw new NotImplemented(`the condition ${Object.keys(condition).join('/')}`);
}

/** Qdrant's is_empty: the field is missing, null, or an empty array. */
function isEmpty(payload: Record<string, unknown>, key: string): boolean {
  const values = valuesAt(payload, key);
  return values.length === 0 || values.every((v) => v === null);
}

const asList = (clause: unknown): Record<string, any>[] => (clause == null ? [] : Array.isArray(clause) ? clause : [clause]);

export function matchesFilter(filter: Record<string, any> | null | undefined, point: FilterablePoint, ctx: FilterContext): boolean {
  if (!filter) return true;
  const check = (c: Record<string, any>) => checkCondition(c, point, ctx);
  const must = asList(filter.must);
  if (!must.every(check)) return false;
  const mustNot = asList(filter.must_not);
  if (mustNot.some(check)) return false;
  const should = asList(filter.should);
  if (should.length > 0 && !should.some(check)) return false;
  if (filter.min_should) {
    const { conditions, min_count } = filter.min_should as { conditions: Record<string, any>[]; min_count: number };
    if (conditions.filter(check).length < min_count) return false;
  }
  return true;
}
