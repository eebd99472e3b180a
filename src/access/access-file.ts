// Reads ACCESS_FILE (YAML) into an AccessPolicy, and refuses it at start-up with every problem
// and the line it is on: unknown keys, sources and groups, empty readers, principals of no known
// kind, globs that cannot be parsed.
import fs from 'node:fs';
import picomatch from 'picomatch';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { ConfigError } from '../errors.js';
import { AccessPolicy, type AccessRule } from './access-policy.js';
import { parsePrincipal, personKinds, placeKinds } from './principals.js';

export function loadAccessFile(file: string, sourceNames: string[]): AccessPolicy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ACCESS_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
  }
  return parseAccessFile(text, file, sourceNames);
}

export function parseAccessFile(text: string, file: string, sourceNames: string[]): AccessPolicy {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const problems: string[] = [];
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : 1;
  };
  const problem = (node: unknown, message: string) => problems.push(`line ${lineOf(node)}: ${message}`);
  const fail = () => new ConfigError(`Invalid configuration:\n  ACCESS_FILE ${file}:\n    ${problems.join('\n    ')}`);

  for (const error of document.errors) problems.push(`line ${error.linePos?.[0].line ?? 1}: ${error.message.split('\n')[0]}`);
  if (problems.length > 0) throw fail();
  const root = document.contents;
  if (!isMap(root)) {
    problem(root, 'the file must be a mapping with default, groups, rules and channels');
    throw fail();
  }

  const known = new Set(['default', 'groups', 'rules', 'channels']);
  const section = (name: string) => root.items.find((pair) => isScalar(pair.key) && pair.key.value === name);
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (!known.has(key)) problem(pair.key, `unknown key "${key}" (expected default, groups, rules, channels)`);
  }

  let defaultReaders: 'everyone' | 'nobody' = 'everyone';
  const defaultPair = section('default');
  if (defaultPair) {
    const value = isScalar(defaultPair.value) ? defaultPair.value.value : null;
    if (value === 'everyone' || value === 'nobody') defaultReaders = value;
    else problem(defaultPair.value ?? defaultPair.key, 'default must be "everyone" or "nobody"');
  }

  /** The entries of a section that maps names to values: none when it is absent, or not a mapping (a problem). */
  const entries = (name: string, mapping: string): Array<{ key: string; pair: Pair<Node, Node> }> => {
    const value = section(name)?.value;
    if (!value) return [];
    if (!isMap(value)) {
      problem(value, `${name} must map ${mapping}`);
      return [];
    }
    return (value.items as Pair<Node, Node>[]).map((pair) => ({ key: isScalar(pair.key) ? String(pair.key.value) : '', pair }));
  };

  const groups = new Map<string, string[]>();
  for (const { key: name, pair } of entries('groups', 'each group name to a list of people')) {
    if (!/^[\w.-]+$/.test(name)) problem(pair.key, `"${name}" is not a group name (letters, digits, ".", "_", "-")`);
    const members = strings(pair.value, `group ${name}`);
    for (const { value, node } of members) {
      const parsed = parsePrincipal(value);
      if (!parsed || !(personKinds as readonly string[]).includes(parsed.kind)) problem(node, `"${value}" in group ${name} is not a person (slack:<user id> or teams:<Entra object id>)`);
    }
    if (members.length === 0) problem(pair.value ?? pair.key, `group ${name} has no members`);
    groups.set(name, members.map((member) => member.value));
  }

  const checkReader = (value: string, node: unknown, where: string) => {
    const parsed = parsePrincipal(value);
    if (!parsed) problem(node, `"${value}" in ${where} is not a reader (everyone, group:<name>, slack:<user>, teams:<user>, slack-channel:<id>, teams-team:<id>, teams-channel:<id>)`);
    else if (parsed.kind === 'group' && !groups.has(parsed.id)) problem(node, `unknown group "${parsed.id}" in ${where}${groups.size > 0 ? ` (groups: ${[...groups.keys()].join(', ')})` : ''}`);
  };
  const checkSource = (value: string, node: unknown) => {
    if (!sourceNames.includes(value)) problem(node, `unknown source "${value}" (sources: ${sourceNames.join(', ')})`);
  };

  const rules: AccessRule[] = [];
  const rulesPair = section('rules');
  if (rulesPair?.value) {
    if (!isSeq(rulesPair.value)) problem(rulesPair.value, 'rules must be a list');
    else
      for (const item of rulesPair.value.items as Node[]) {
        if (!isMap(item)) {
          problem(item, 'a rule must be a mapping with source, readers and optionally path and label');
          continue;
        }
        const field = (name: string) => (item.items as Pair<Node, Node>[]).find((pair) => isScalar(pair.key) && pair.key.value === name);
        for (const pair of item.items as Pair<Node, Node>[]) {
          const key = isScalar(pair.key) ? String(pair.key.value) : '?';
          if (!['source', 'path', 'label', 'readers'].includes(key)) problem(pair.key, `unknown rule key "${key}" (expected source, path, label, readers)`);
        }
        const scalar = (name: string) => {
          const pair = field(name);
          if (!pair) return null;
          if (!isScalar(pair.value) || typeof pair.value.value !== 'string' || pair.value.value.trim() === '') {
            problem(pair.value ?? pair.key, `${name} must be a non-empty text`);
            return null;
          }
          return pair.value.value.trim();
        };
        const source = scalar('source');
        if (source === null && !field('source')) problem(item, 'a rule needs a source');
        if (source !== null) checkSource(source, field('source')!.value);
        const path = scalar('path');
        if (path !== null && !validGlob(path)) problem(field('path')!.value, `path "${path}" is not a glob that can be parsed`);
        const label = scalar('label');
        const readersPair = field('readers');
        const readers = readersPair ? strings(readersPair.value, 'readers') : [];
        if (readers.length === 0) problem(readersPair?.value ?? item, 'a rule needs at least one reader');
        for (const { value, node } of readers) checkReader(value, node, 'readers');
        if (source !== null) rules.push({ source, path, label, readers: [...new Set(readers.map((reader) => reader.value))], line: lineOf(item) });
      }
  }

  const channels = new Map<string, string[]>();
  for (const { key: place, pair } of entries('channels', 'a channel (slack-channel:<id>, teams-channel:<id>, teams-team:<id>) to its sources')) {
    const parsed = parsePrincipal(place);
    if (!parsed || !(placeKinds as readonly string[]).includes(parsed.kind)) problem(pair.key, `"${place}" is not a channel (slack-channel:<id>, teams-channel:<id> or teams-team:<id>)`);
    const sources = strings(pair.value, `channel ${place}`);
    if (sources.length === 0) problem(pair.value ?? pair.key, `channel ${place} needs at least one source`);
    for (const { value, node } of sources) checkSource(value, node);
    channels.set(place, sources.map((source) => source.value));
  }

  if (problems.length > 0) throw fail();
  return new AccessPolicy({ default: defaultReaders, groups, rules, channels, file });

  function strings(node: unknown, where: string): Array<{ value: string; node: unknown }> {
    if (node === null || node === undefined) return [];
    if (isScalar(node) && typeof node.value === 'string') return [{ value: node.value.trim(), node }];
    if (!isSeq(node)) {
      problem(node, `${where} must be a list`);
      return [];
    }
    const values: Array<{ value: string; node: unknown }> = [];
    for (const item of node.items) {
      if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) values.push({ value: String(item.value).trim(), node: item });
      else problem(item, `each entry of ${where} must be a text`);
    }
    return values;
  }
}

function validGlob(glob: string): boolean {
  if (glob.startsWith('/') || glob.split('/').includes('..')) return false;
  try {
    picomatch.makeRe(glob, { strictBrackets: true, dot: true });
    return true;
  } catch {
    return false;
  }
}

