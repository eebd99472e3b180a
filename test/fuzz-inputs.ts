// Deterministic random inputs for fuzz tests: a seeded generator (mulberry32), random JSON, and
// mutations of real payloads (a field replaced by an odd value, removed, added, its type changed).

export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** 0 <= x < 1 */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Up to `maxLength` characters, with controls, quotes, brackets, Chinese and emoji among them. */
  text(maxLength = 40): string {
    return this.from('abcXYZ019 _-.:/?&=%<>[](){}"\'\\|@#\u0000\n\t\u00e9\u4e2d\u6587\ud83d\udca5\u202e', maxLength);
  }

  /** Up to `maxLength` printable ASCII characters (what an HTTP header can carry). */
  headerText(maxLength = 20): string {
    return this.from('abcXYZ019 _-.:/?&=%<>[](){}"\'|@#;,*', maxLength);
  }

  private from(alphabet: string, maxLength: number): string {
    return Array.from({ length: this.int(maxLength + 1) }, () => alphabet[this.int(alphabet.length)]).join('');
  }
}

/** A value of a random kind, nested up to `depth`. */
export function randomJson(random: SeededRandom, depth = 2): unknown {
  switch (random.int(depth > 0 ? 9 : 7)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308]);
    case 3:
      return random.text();
    case 4:
      return random.pick(['', ' ', 'x'.repeat(5000), 'javascript:alert(1)', 'http://169.254.169.254/latest', '<at>Bot</at>', '__proto__', 'constructor', '2026-13-45T99:99:99Z', '{"type":"message"}']);
    case 5:
      return {};
    case 6:
      return [];
    case 7:
      return Array.from({ length: random.int(4) }, () => randomJson(random, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: random.int(4) }, () => [random.pick(['type', 'id', 'text', 'user', 'channel', 'event', 'value', random.text(8)]), randomJson(random, depth - 1)]));
  }
}

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

function slots(value: unknown, found: Slot[] = []): Slot[] {
  if (found.length > 2000 || typeof value !== 'object' || value === null) return found;
  for (const [key, child] of Object.entries(value)) {
    found.push({ parent: value as Record<string, unknown>, key: Array.isArray(value) ? Number(key) : key });
    slots(child, found);
  }
  return found;
}

/** A copy of `value` with one to four random changes; now and then something else entirely. */
export function mutate(value: unknown, random: SeededRandom): unknown {
  if (random.chance(0.05)) return randomJson(random);
  const root = { value: JSON.parse(JSON.stringify(value)) as unknown };
  for (let changes = 1 + random.int(4); changes > 0; changes--) {
    const { parent, key } = random.pick(slots(root));
    const current = (parent as Record<string | number, unknown>)[key];
    switch (random.int(6)) {
      case 0:
        if (parent === root) root.value = randomJson(random);
        else if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key as string];
        break;
      case 1:
        if (current && typeof current === 'object' && !Array.isArray(current)) (current as Record<string, unknown>)[random.pick(['type', 'id', 'text', 'channel', random.text(6)])] = randomJson(random);
        else (parent as Record<string | number, unknown>)[key] = randomJson(random);
        break;
      case 2:
        (parent as Record<string | number, unknown>)[key] = [current];
        break;
      case 3:
        (parent as Record<string | number, unknown>)[key] = JSON.stringify(current) ?? null;
        break;
      default:
        (parent as Record<string | number, unknown>)[key] = randomJson(random);
    }
  }
  return root.value;
}

/** A string with a few characters changed, dropped or cut off. */
export function mutateText(text: string, random: SeededRandom, insert = () => random.text(3)): string {
  let result = text;
  for (let changes = 1 + random.int(3); changes > 0; changes--) {
    const at = random.int(result.length + 1);
    switch (random.int(3)) {
      case 0:
        result = result.slice(0, at);
        break;
      case 1:
        result = `${result.slice(0, at)}${insert()}${result.slice(at + 1)}`;
        break;
      default:
        result = `${result.slice(0, at)}${result.slice(at + 1 + random.int(8))}`;
    }
  }
  return result;
}
