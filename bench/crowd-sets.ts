// Crowd-written retrieval datasets (PolicyQA, XQuAD en/zh, CMRC 2018, Cranfield) turned into what
// the bot indexes and what the benchmarks ask: folders of Markdown documents (one folder source
// each) and JSONL question files with the documents that answer them, split into dev and test.
//   npx tsx bench/crowd-sets.ts [outDir]     (default bench/.cache/crowd-sets)
// The raw data stays in ../shared/data (see its SOURCES.md, sections 3 and 4); nothing derived
// from it is committed: everything is written into the cache folder at run time. A set is only
// rewritten when its input files or this script change (a stamp file in each set's folder).
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CrowdSet {
  name: string; // 'policyqa' | 'xquad-en' | 'xquad-zh' | 'cmrc2018' | 'cranfield'
  lang: 'en' | 'zh';
  splits: { dev: SplitFiles; test: SplitFiles };
}

export interface SplitFiles {
  /** Folder sources to index for this split: name -> folder (each holds .md files). */
  sources: Record<string, string>;
  /** The question file (JSONL) for this split. */
  questions: string;
}

/** One line of a question file. */
interface QuestionLine {
  id: string;
  question: string;
  lang: 'en' | 'zh';
  /** Relative to the folder source's root; relevant-first when the set grades relevance. */
  expect_files?: string[];
  kind: string;
  /** Ask only these sources (PolicyQA: a question is asked of one policy). */
  sources?: string[];
}

type SplitName = 'dev' | 'test';
const splitNames: SplitName[] = ['dev', 'test'];

/** A document to write: `file` relative to the set's folder. */
interface DocumentFile {
  file: string;
  title: string;
  body: string;
}

/** A split as a builder makes it: source folders relative to the set's folder. */
interface BuiltSplit {
  sources: Record<string, string>;
  questions: QuestionLine[];
  documents: number;
}

interface BuiltSet {
  documents: DocumentFile[];
  splits: Record<SplitName, BuiltSplit>;
  /** Whether dev and test index the same documents. */
  sharedCorpus: boolean;
  /** What was odd in the data and how it was handled. */
  notes: string[];
}

/** What a stamp records, so that an unchanged set is described without reading its data again. */
interface Stamp {
  generator: string;
  inputs: Record<string, string>;
  lang: 'en' | 'zh';
  splits: Record<SplitName, { sources: Record<string, string>; questions: string; documents: number; questionCount: number }>;
  sharedCorpus: boolean;
  files: string[];
  notes: string[];
}

type ReadInput = (file: string) => string;

interface SetSpec {
  name: string;
  lang: 'en' | 'zh';
  /** Input files, relative to the data folder. */
  inputs: string[];
  build: (read: ReadInput) => BuiltSet;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const defaultDataDir = path.resolve(repoRoot, '../shared/data');
const defaultOutDir = path.join(repoRoot, 'bench/.cache/crowd-sets');
const stampName = 'stamp.json';

// ---------------------------------------------------------------------------------------------
// Shared helpers

const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** An ASCII file or folder name: "Fresno,_California" -> "fresno-california". */
function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** An id usable as a file name as it is ("DEV_0"), else its slug; unique within `taken` either way. */
function fileStem(id: string, taken: Set<string>, fallback: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(id) && !taken.has(id)) {
    taken.add(id);
    return id;
  }
  return uniqueSlug(id, taken, fallback);
}

/** A slug not yet in `taken` (then taken): `fallback` when the text has no ASCII letters, a number suffix on a clash. */
function uniqueSlug(text: string, taken: Set<string>, fallback: string): string {
  const base = slugify(text) || fallback;
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  taken.add(slug);
  return slug;
}

/** A Markdown file: the title in YAML front matter (a JSON string is valid YAML), each line of the text a paragraph. */
function markdown({ title, body }: DocumentFile): string {
  const paragraphs = body.split(/\n\s*\n|\n/).map((p) => p.trim()).filter((p) => p !== '');
  return `---\ntitle: ${JSON.stringify(title)}\n---\n\n${paragraphs.join('\n\n')}\n`;
}

const jsonl = (lines: QuestionLine[]) => lines.map((line) => JSON.stringify(line)).join('\n') + (lines.length > 0 ? '\n' : '');

/** A question line with the fields in the documented order and no empty optional ones. */
function question(id: string, text: string, lang: 'en' | 'zh', kind: string, expectFiles?: string[], sources?: string[]): QuestionLine {
  return { id, question: text, lang, ...(expectFiles ? { expect_files: expectFiles } : {}), kind, ...(sources ? { sources } : {}) };
}

// ---------------------------------------------------------------------------------------------
// SQuAD-format sets (PolicyQA, XQuAD, CMRC 2018)

interface SquadQa {
  id: string;
  question: string;
  /** PolicyQA only: "Category|||Attribute|||Value" (OPP-115). */
  type?: string;
}

interface SquadParagraph {
  /** CMRC 2018 only. */
  id?: string;
  /** PolicyQA only: the paragraph's position in its policy. */
  index?: number;
  context: string;
  qas: SquadQa[];
}

interface SquadArticle {
  title: string;
  paragraphs: SquadParagraph[];
}

function squadArticles(read: ReadInput, file: string): SquadArticle[] {
  const parsed = JSON.parse(read(file)) as { data?: unknown };
  if (!Array.isArray(parsed.data)) throw new Error(`${file}: no "data" array, not SQuAD format`);
  return parsed.data as SquadArticle[];
}

/** Counts of what was odd in the data (left out or kept as it is), turned into notes. */
class Tally {
  private counts = new Map<string, number>();
  add(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }
  notes(): string[] {
    return [...this.counts].map(([what, n]) => `${what}: ${n}`);
  }
}

/**
 * PolicyQA: one folder source per policy, one file per paragraph. A question is generic ("Do you
 * share my data?") and asked of one policy, so it carries that policy's source; the same text asked
 * on several paragraphs of a policy becomes one question expecting all of them.
 */
function buildPolicyQa(read: ReadInput): BuiltSet {
  const documents: DocumentFile[] = [];
  const tally = new Tally();
  const notes: string[] = [];
  const split = (file: string, corpus: string): BuiltSplit => {
    const sources: Record<string, string> = {};
    const questions: QuestionLine[] = [];
    let count = 0;
    const taken = new Set<string>();
    for (const [a, policy] of squadArticles(read, file).entries()) {
      const source = uniqueSlug(policy.title, taken, `policy-${pad(a, 2)}`);
      sources[source] = `${corpus}/${source}`;
      // Question text -> the merged question: first id, paragraphs in policy order, categories seen.
      const merged = new Map<string, { id: string; files: string[]; kinds: string[] }>();
      const names = new Set<string>();
      for (const paragraph of policy.paragraphs) {
        if (paragraph.context.trim() === '') {
          tally.add(`${file}: paragraphs with empty context (and their questions) skipped`);
          continue;
        }
        const name = `${fileStem(pad(paragraph.index ?? 0, 3), names, 'paragraph')}.md`;
        documents.push({ file: `${corpus}/${source}/${name}`, title: `${policy.title} privacy policy`, body: paragraph.context });
        count++;
        for (const qa of paragraph.qas) {
          const text = oneLine(qa.question);
          if (text === '') {
            tally.add(`${file}: empty questions skipped`);
            continue;
          }
          const entry = merged.get(text) ?? { id: qa.id, files: [], kinds: [] };
          if (!entry.files.includes(name)) entry.files.push(name);
          entry.kinds.push(qa.type?.split('|||')[0]?.trim() || 'policy');
          merged.set(text, entry);
        }
      }
      for (const [text, { id, files, kinds }] of merged) questions.push(question(id, text, 'en', mostFrequent(kinds), files, [source]));
    }
    const asked = questions.length;
    const multi = questions.filter((q) => (q.expect_files?.length ?? 0) > 1).length;
    notes.push(`${file}: ${asked} distinct questions per policy (${multi} of them asked on several paragraphs, merged)`);
    return { sources, questions, documents: count };
  };
  const splits = { dev: split('retrieval-eval/en-policyqa/dev.json', 'docs-dev'), test: split('retrieval-eval/en-policyqa/test.json', 'docs-test') };
  notes.push('only the paragraphs that have questions are in the data: paragraph numbers have gaps, policies are incomplete');
  return { documents, splits, sharedCorpus: false, notes: [...notes, ...tally.notes()] };
}

/** The most frequent value, the first seen on a tie (merged PolicyQA questions can span categories). */
function mostFrequent(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = values[0] ?? 'policy';
  for (const [value, n] of counts) if (n > (counts.get(best) ?? 0)) best = value;
  return best;
}

/**
 * XQuAD (one language): one corpus for both splits, `<article slug>/<pp>.md`; questions of even
 * articles are dev, odd ones test. The en and zh files are parallel (same ids, same paragraph order),
 * so both sets get the same file names and a question of one can be asked of the other's corpus.
 */
function buildXquad(lang: 'en' | 'zh'): (read: ReadInput) => BuiltSet {
  return (read) => {
    const file = `retrieval-eval/xquad-en-zh/xquad.${lang}.json`;
    const documents: DocumentFile[] = [];
    const tally = new Tally();
    const splits: Record<SplitName, BuiltSplit> = { dev: { sources: { xquad: 'docs' }, questions: [], documents: 0 }, test: { sources: { xquad: 'docs' }, questions: [], documents: 0 } };
    const taken = new Set<string>();
    for (const [a, article] of squadArticles(read, file).entries()) {
      const slug = uniqueSlug(article.title, taken, `article-${pad(a, 2)}`);
      // Titles are Wikipedia page names ("Super_Bowl_50"): with underscores they would be one search term.
      const title = article.title.replace(/_/g, ' ');
      const split = splits[a % 2 === 0 ? 'dev' : 'test'];
      for (const [p, paragraph] of article.paragraphs.entries()) {
        if (paragraph.context.trim() === '') {
          tally.add(`${file}: paragraphs with empty context (and their questions) skipped`);
          continue;
        }
        const name = `${slug}/${pad(p, 2)}.md`;
        documents.push({ file: `docs/${name}`, title, body: paragraph.context });
        for (const qa of paragraph.qas) {
          const text = oneLine(qa.question);
          if (text === '') tally.add(`${file}: empty questions skipped`);
          else split.questions.push(question(qa.id, text, lang, 'squad', [name]));
        }
      }
    }
    splits.dev.documents = splits.test.documents = documents.length;
    return { documents, splits, sharedCorpus: true, notes: tally.notes() };
  };
}

/** CMRC 2018: trial -> dev, dev -> test, each its own corpus of `<paragraph id>.md`. */
function buildCmrc(read: ReadInput): BuiltSet {
  const documents: DocumentFile[] = [];
  const tally = new Tally();
  const split = (file: string, corpus: string): BuiltSplit => {
    const questions: QuestionLine[] = [];
    let count = 0;
    const taken = new Set<string>();
    for (const article of squadArticles(read, file)) {
      if (article.title.trim() === '') tally.add(`${file}: articles with an empty title (kept)`);
      for (const paragraph of article.paragraphs) {
        if (paragraph.context.trim() === '') {
          tally.add(`${file}: paragraphs with empty context (and their questions) skipped`);
          continue;
        }
        if (/<\/?[a-z]+[^>]*>/i.test(paragraph.context)) tally.add(`${file}: passages with leftover wiki markup such as <ref> (kept; Markdown drops the tags)`);
        const name = `${fileStem(paragraph.id ?? '', taken, `paragraph-${pad(count, 4)}`)}.md`;
        documents.push({ file: `${corpus}/${name}`, title: article.title.trim(), body: paragraph.context });
        count++;
        for (const qa of paragraph.qas) {
          const text = oneLine(qa.question);
          if (text === '') tally.add(`${file}: empty questions skipped`);
          else questions.push(question(qa.id, text, 'zh', 'squad', [name]));
        }
      }
    }
    return { sources: { cmrc2018: corpus }, questions, documents: count };
  };
  const splits = {
    dev: split('retrieval-eval/zh-cmrc2018/cmrc2018_trial.json', 'docs-dev'),
    test: split('retrieval-eval/zh-cmrc2018/cmrc2018_dev.json', 'docs-test'),
  };
  return { documents, splits, sharedCorpus: false, notes: tally.notes() };
}

// ---------------------------------------------------------------------------------------------
// Cranfield (SMART format)

interface SmartRecord {
  id: string;
  /** Field letter (T, A, B, W) -> its lines. */
  fields: Map<string, string[]>;
}

/** `.I <id>` starts a record; `.T`, `.A`, `.B`, `.W` alone on a line start a field. */
function parseSmart(text: string): SmartRecord[] {
  const records: SmartRecord[] = [];
  let field: string[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    const start = /^\.I\s+(\S+)/.exec(line);
    const marker = /^\.([A-Z])\s*$/.exec(line);
    if (start) {
      records.push({ id: start[1]!, fields: new Map() });
      field = null;
    } else if (marker && records.length > 0) {
      field = [];
      records.at(-1)!.fields.set(marker[1]!, field);
    } else field?.push(line);
  }
  return records;
}

/** The `.W` text: an indented line starts a new paragraph (the collection's layout), others go on. */
function smartParagraphs(lines: string[]): string {
  const paragraphs: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (paragraphs.length === 0 || /^\s/.test(line)) paragraphs.push(line.trim());
    else paragraphs[paragraphs.length - 1] += ` ${line.trim()}`;
  }
  return paragraphs.map(oneLine).join('\n');
}

/**
 * Cranfield: one corpus of `<id>.md` abstracts for both splits. `cranqrel` numbers the queries
 * 1..225 by position in `cran.qry` (whose own ids have gaps), so queries are matched by position;
 * odd positions are dev, even test. Grades 1..4 count (1 = a complete answer, listed first).
 */
function buildCranfield(read: ReadInput): BuiltSet {
  const dir = 'retrieval-eval/en-cranfield';
  const notes: string[] = [];
  const documents: DocumentFile[] = [];
  const written = new Set<number>();
  const empty: string[] = [];
  for (const record of parseSmart(read(`${dir}/cran.all.1400.txt`))) {
    const title = oneLine((record.fields.get('T') ?? []).join(' '));
    const body = smartParagraphs(record.fields.get('W') ?? []);
    if (body === '' && title === '') {
      empty.push(record.id);
      continue;
    }
    documents.push({ file: `docs/${pad(Number(record.id), 4)}.md`, title, body: body || title });
    written.add(Number(record.id));
  }
  if (empty.length > 0) notes.push(`documents with neither title nor text, not written: ${empty.join(', ')}`);

  const judgements = new Map<number, Array<{ doc: number; grade: number }>>();
  const otherGrades = new Map<number, number>();
  for (const line of read(`${dir}/cranqrel.txt`).split(/\r?\n/)) {
    const match = /^\s*(\d+)\s+(\d+)\s+(-?\d+)\s*$/.exec(line);
    if (!match) continue; // blank lines
    const [query, doc, grade] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (grade < 1 || grade > 4) otherGrades.set(grade, (otherGrades.get(grade) ?? 0) + 1);
    else judgements.set(query, [...(judgements.get(query) ?? []), { doc, grade }]);
  }
  for (const [grade, n] of otherGrades) notes.push(`judgements of grade ${grade} ignored: ${n}`);

  const queries = parseSmart(read(`${dir}/cran.qry.txt`));
  const splits: Record<SplitName, BuiltSplit> = { dev: { sources: { cranfield: 'docs' }, questions: [], documents: documents.length }, test: { sources: { cranfield: 'docs' }, questions: [], documents: documents.length } };
  const unjudged: string[] = [];
  for (const [i, query] of queries.entries()) {
    const position = i + 1;
    const judged = (judgements.get(position) ?? []).sort((a, b) => a.grade - b.grade || a.doc - b.doc);
    const missing = judged.filter((j) => !written.has(j.doc));
    if (missing.length > 0) notes.push(`query ${query.id} (position ${position}): judged documents not written, dropped: ${missing.map((j) => `${j.doc} (grade ${j.grade})`).join(', ')}`);
    const files = judged.filter((j) => written.has(j.doc)).map((j) => `${pad(j.doc, 4)}.md`);
    if (files.length === 0) {
      unjudged.push(query.id);
      continue;
    }
    const text = oneLine((query.fields.get('W') ?? []).join(' '));
    splits[position % 2 === 1 ? 'dev' : 'test'].questions.push(question(query.id, text, 'en', 'cranfield', files));
  }
  if (unjudged.length > 0) notes.push(`queries without a judged document, skipped: ${unjudged.join(', ')}`);
  const maxJudged = Math.max(0, ...judgements.keys());
  if (maxJudged !== queries.length) notes.push(`cranqrel numbers ${maxJudged} queries but cran.qry holds ${queries.length}: matched by position anyway`);
  return { documents, splits, sharedCorpus: true, notes };
}

// ---------------------------------------------------------------------------------------------
// Writing the sets

const specs: SetSpec[] = [
  { name: 'policyqa', lang: 'en', inputs: ['retrieval-eval/en-policyqa/dev.json', 'retrieval-eval/en-policyqa/test.json'], build: buildPolicyQa },
  { name: 'xquad-en', lang: 'en', inputs: ['retrieval-eval/xquad-en-zh/xquad.en.json'], build: buildXquad('en') },
  { name: 'xquad-zh', lang: 'zh', inputs: ['retrieval-eval/xquad-en-zh/xquad.zh.json'], build: buildXquad('zh') },
  { name: 'cmrc2018', lang: 'zh', inputs: ['retrieval-eval/zh-cmrc2018/cmrc2018_trial.json', 'retrieval-eval/zh-cmrc2018/cmrc2018_dev.json'], build: buildCmrc },
  {
    name: 'cranfield',
    lang: 'en',
    inputs: ['retrieval-eval/en-cranfield/cran.all.1400.txt', 'retrieval-eval/en-cranfield/cran.qry.txt', 'retrieval-eval/en-cranfield/cranqrel.txt'],
    build: buildCranfield,
  },
];

async function readInput(dataDir: string, file: string): Promise<Buffer> {
  const full = path.join(dataDir, file);
  return fs.readFile(full).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `crowd-sets: data file not found: ${full}` : `crowd-sets: cannot read ${full} (${error.code ?? error.message})`);
  });
}

async function readStamp(setDir: string): Promise<Stamp | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(setDir, stampName), 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

/** Whether a stamp still describes what is on disk: same generator, same inputs, every file there. */
async function stampHolds(stamp: Stamp | null, setDir: string, generator: string, inputs: Record<string, string>): Promise<boolean> {
  if (!stamp || stamp.generator !== generator || JSON.stringify(stamp.inputs) !== JSON.stringify(inputs)) return false;
  const present = await Promise.all(stamp.files.map((file) => fs.stat(path.join(setDir, file)).then((s) => s.isFile(), () => false)));
  return present.every(Boolean);
}

/** Writes a set into a hidden sibling folder, then swaps it in, so that a crash never leaves half a set behind a valid stamp. */
async function writeSet(setDir: string, spec: SetSpec, built: BuiltSet, generator: string, inputs: Record<string, string>): Promise<Stamp> {
  const partial = path.join(path.dirname(setDir), `.${path.basename(setDir)}.partial`);
  await fs.rm(partial, { recursive: true, force: true });
  const files: string[] = [];
  const folders = new Set<string>();
  const write = async (file: string, content: string) => {
    const full = path.join(partial, file);
    const folder = path.dirname(full);
    if (!folders.has(folder)) await fs.mkdir(folder, { recursive: true });
    folders.add(folder);
    await fs.writeFile(full, content);
    files.push(file);
  };
  for (const document of built.documents) await write(document.file, markdown(document));
  const splits = {} as Stamp['splits'];
  for (const name of splitNames) {
    const split = built.splits[name];
    await write(`${name}.jsonl`, jsonl(split.questions));
    splits[name] = { sources: split.sources, questions: `${name}.jsonl`, documents: split.documents, questionCount: split.questions.length };
  }
  const stamp: Stamp = { generator, inputs, lang: spec.lang, splits, sharedCorpus: built.sharedCorpus, files, notes: built.notes };
  await fs.writeFile(path.join(partial, stampName), JSON.stringify(stamp, null, 1));
  await fs.rm(setDir, { recursive: true, force: true });
  await fs.rename(partial, setDir);
  return stamp;
}

/** The public description of a stamped set, with absolute paths. */
function describe(name: string, setDir: string, stamp: Stamp): CrowdSet {
  const files = (split: Stamp['splits'][SplitName]): SplitFiles => ({
    sources: Object.fromEntries(Object.entries(split.sources).map(([source, folder]) => [source, path.join(setDir, folder)])),
    questions: path.join(setDir, split.questions),
  });
  return { name, lang: stamp.lang, splits: { dev: files(stamp.splits.dev), test: files(stamp.splits.test) } };
}

interface Materialized {
  set: CrowdSet;
  stamp: Stamp;
  reused: boolean;
}

async function materialize(outDir: string, dataDir = defaultDataDir): Promise<Materialized[]> {
  // This script's own text is part of the stamp: a change to how sets are made remakes them.
  const generator = sha1(await fs.readFile(fileURLToPath(import.meta.url)));
  // Read every input first, so that a missing file fails before anything is written.
  const contents = new Map<string, Buffer>();
  for (const file of specs.flatMap((spec) => spec.inputs)) contents.set(file, await readInput(dataDir, file));
  const read: ReadInput = (file) => contents.get(file)!.toString('utf8');
  const results: Materialized[] = [];
  for (const spec of specs) {
    const setDir = path.join(outDir, spec.name);
    const inputs = Object.fromEntries(spec.inputs.map((file) => [file, sha1(contents.get(file)!)]));
    const existing = await readStamp(setDir);
    const reused = await stampHolds(existing, setDir, generator, inputs);
    const stamp = reused ? existing! : await writeSet(setDir, spec, spec.build(read), generator, inputs);
    results.push({ set: describe(spec.name, setDir, stamp), stamp, reused });
  }
  return results;
}

/** Writes every set under outDir (idempotent: skips a set whose files exist and whose input files are unchanged, by a stamp file) and describes them. */
export async function materializeCrowdSets(outDir: string, dataDir?: string): Promise<CrowdSet[]> {
  return (await materialize(path.resolve(outDir), dataDir)).map((m) => m.set);
}

// ---------------------------------------------------------------------------------------------
// Foreign (unanswerable) questions

// PolicyQA's questions ("Do you sell my data?") would be fair questions of any company's documents,
// so only the topical sets supply questions that an unrelated corpus cannot answer.
const foreignSets = ['xquad-en', 'cranfield'];

async function readQuestions(file: string): Promise<QuestionLine[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as QuestionLine);
}

/** `count` questions drawn in equal shares from the pools (the first pools take the remainder, a short pool's gap is filled from the others), each pool in sha1-of-id order. */
function drawEqualShares(pools: Array<{ set: string; questions: QuestionLine[] }>, count: number): Array<{ set: string; question: QuestionLine }> {
  const ordered = pools.map(({ set, questions }) => ({ set, questions: [...questions].sort((a, b) => sha1(`${set}:${a.id}`).localeCompare(sha1(`${set}:${b.id}`))) }));
  const available = ordered.reduce((n, pool) => n + pool.questions.length, 0);
  if (count > available) throw new Error(`crowd-sets: ${count} foreign questions asked for, only ${available} in ${pools.map((p) => p.set).join(' + ')}`);
  const taken = ordered.map(() => 0);
  // Round-robin over the pools that still have questions: equal shares, and a short pool's gap goes to the others.
  for (let drawn = 0, i = 0; drawn < count; i = (i + 1) % ordered.length) {
    if (taken[i]! < ordered[i]!.questions.length) {
      taken[i]!++;
      drawn++;
    }
  }
  return ordered.flatMap((pool, i) => pool.questions.slice(0, taken[i]).map((question) => ({ set: pool.set, question })));
}

/** Questions from the crowd sets to ask against an unrelated corpus as unanswerable: `count` per split, deterministic. */
export async function foreignQuestions(outDir: string, count: number, dataDir?: string): Promise<{ dev: string; test: string }> {
  if (!Number.isInteger(count) || count < 0) throw new Error(`crowd-sets: foreign question count must be a whole number, not ${count}`);
  const out = path.resolve(outDir);
  const sets = await materializeCrowdSets(out, dataDir);
  const written = {} as Record<SplitName, string>;
  for (const split of splitNames) {
    const pools = await Promise.all(
      foreignSets.map(async (name) => ({ set: name, questions: await readQuestions(sets.find((s) => s.name === name)!.splits[split].questions) })),
    );
    const lines = drawEqualShares(pools, count)
      .map(({ set, question: q }) => question(`${set}:${q.id}`, q.question, q.lang, 'other-dataset'))
      .sort((a, b) => sha1(a.id).localeCompare(sha1(b.id))); // mix the sets, deterministically
    written[split] = path.join(out, `foreign-${split}.jsonl`);
    await fs.writeFile(written[split], jsonl(lines));
  }
  return written;
}

// ---------------------------------------------------------------------------------------------
// CLI: materialize, check, summarize

/** Problems in a split: expected files that do not exist, sources a question names that the split lacks. */
async function checkSplit(files: SplitFiles): Promise<string[]> {
  const problems: string[] = [];
  for (const q of await readQuestions(files.questions)) {
    const roots = q.sources ? q.sources.map((s) => files.sources[s]) : Object.values(files.sources);
    if (roots.some((root) => root === undefined)) problems.push(`${files.questions}: ${q.id} names a source the split does not have: ${q.sources?.join(', ')}`);
    for (const file of q.expect_files ?? []) {
      const found = await Promise.all(roots.filter((root) => root !== undefined).map((root) => fs.stat(path.join(root, file)).then(() => true, () => false)));
      if (!found.some(Boolean)) problems.push(`${files.questions}: ${q.id} expects ${file}, which no source of it holds`);
    }
  }
  return problems;
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? defaultOutDir);
  const foreignCount = 100;
  const start = process.hrtime.bigint();
  const results = await materialize(outDir);
  const foreign = await foreignQuestions(outDir, foreignCount);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  const rows = results.map(({ set, stamp, reused }) => ({
    set: set.name,
    lang: set.lang,
    sources: `${Object.keys(stamp.splits.dev.sources).length} / ${Object.keys(stamp.splits.test.sources).length}`,
    documents: stamp.sharedCorpus ? `${stamp.splits.dev.documents} (shared)` : `${stamp.splits.dev.documents} / ${stamp.splits.test.documents}`,
    'questions dev': stamp.splits.dev.questionCount,
    'questions test': stamp.splits.test.questionCount,
    written: reused ? 'no (stamp)' : 'yes',
  }));
  console.table(rows);
  console.log(`foreign questions: ${foreignCount} per split (${foreignSets.join(' + ')}) -> ${foreign.dev}, ${foreign.test}`);
  console.log(`${outDir}: ${seconds.toFixed(2)} s`);

  for (const { set, stamp } of results) for (const note of stamp.notes) console.log(`note ${set.name}: ${note}`);
  const problems = (await Promise.all(results.flatMap(({ set }) => splitNames.map((split) => checkSplit(set.splits[split]))))).flat();
  if (problems.length > 0) {
    console.error(`${problems.length} problems:\n  ${problems.slice(0, 20).join('\n  ')}`);
    process.exitCode = 1;
  } else console.log('check: every expected file exists in the sources its question is asked of');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
