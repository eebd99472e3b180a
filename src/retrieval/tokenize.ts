// Multilingual search terms: ICU word segmentation (Intl.Segmenter) splits Chinese and Japanese
// into words as well as English; terms are lower-cased, stop words dropped and English stemmed.
// Indexing and querying use the same function so that both sides agree.
import { stemmer } from 'stemmer';

/** Raised whenever searchTerms (or what marks a page superseded) changes: indexes re-analyse their chunks when opened. */
export const analysisVersion = 2;

const words = new Intl.Segmenter('zh', { granularity: 'word' });
const sentences = new Intl.Segmenter('zh', { granularity: 'sentence' });

const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const latin = /^[\p{Script=Latin}\p{N}_'’-]+$/u;

// Function words that carry no meaning for retrieval. Question words are included: "how many"
// tells what kind of answer is wanted, not which passage holds it.
const stopWords = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her hers ' +
    'him his how i if in into is it its itself just me more most my no nor not of off on once only or other our ' +
    'ours out over own same she should so some such than that the their theirs them then there these they this ' +
    'those through to too under until up very was we were what when where which while who whom why will with ' +
    'would you your yours yourself about above after again against all am any because before below between both ' +
    'down during each few further here s t don now also may might must shall us get got let many much ' +
    '的 了 是 在 和 与 及 或 我 你 他 她 它 我们 你们 他们 吗 呢 吧 啊 呀 么 什么 怎么 怎样 如何 哪 哪些 哪个 多少 几 ' +
    '这 那 这个 那个 这些 那些 就 都 也 还 又 而 但 但是 因为 所以 如果 被 把 给 对 从 向 到 为 为了 以 之 其 个 着 过 ' +
    '几 多久 多长 有 没有 有没有 能 可以 会 要 需要 请 问 请问 是否 哪里 哪儿 哪些 谁 什么时候 为什么 怎么办 是不是 吗 の は が を に で と も や へ か です ます'
  ).split(/\s+/),
);

// Irregular English forms that a suffix stemmer cannot join to their base ("lost" -> "lose").
const irregular = new Map(
  (
    'lost:lose paid:pay bought:buy sent:send went:go gone:go made:make took:take taken:take gave:give given:give ' +
    'left:leave kept:keep began:begin begun:begin brought:bring chose:choose chosen:choose found:find held:hold ' +
    'knew:know known:know met:meet ran:run said:say sold:sell spent:spend told:tell thought:think wrote:write ' +
    'written:write saw:see seen:see children:child men:man women:woman feet:foot teeth:tooth mice:mouse ' +
    'broke:break broken:break forgot:forget forgotten:forget stole:steal stolen:steal'
  )
    .split(' ')
    .map((pair) => pair.split(':') as [string, string]),
);

// Words that people put in chat questions but that say nothing about which passage answers them
// ("hey, quick question: which VPN client do we use?"). Documents are indexed with them as usual;
// in a question they weigh little (see queryTerms), so a passage need not contain them.
const fillerWords = new Set(
  (
    'hey hi hello hiya yo thanks thank thx ty pls please plz quick question questions q qq sorry dumb silly wondering wonder ' +
    'curious anyone anybody someone somebody everyone guys folks ok okay hmm um uh well actually really basically exactly ' +
    'still ever even already yet maybe probably currently know knows tell explain help find look looking need needs needed want ' +
    'wants wanted like would use used using uses get gets getting go goes going gonna wanna gotta able allowed supposed happen ' +
    'happens thing things stuff something anything way ways kind sort lot lots new one ones whats hows wheres whos whens im ive ' +
    'id dont doesnt cant isnt arent wont didnt theres youre idk btw asap possible exist exists' +
    ' 我要 想 想要 知道 一下 做 应该 能不能 可不可以 问一下 帮 帮我 告诉 一个 请教 大家 你好 谢谢 麻烦 具体 现在 目前'
  ).split(/\s+/),
);

function normalize(word: string): string {
  return word.normalize('NFKC').toLowerCase().replace(/['’]/g, '');
}

/** Search terms of `text`, in order, repeated as often as they occur. */
export function searchTerms(text: string): string[] {
  return analyze(text).map(({ term }) => term);
}

interface AnalyzedTerm {
  term: string;
  /** The word is chat filler ("hey", "use", 一下): see fillerWords. */
  filler: boolean;
}

function analyze(text: string): AnalyzedTerm[] {
  const terms: AnalyzedTerm[] = [];
  const push = (term: string, filler: boolean) => terms.push({ term, filler });
  let previousSingleCharEnd = -1;
  let previousSingleChar = '';
  // A hyphenated word (Wi-Fi, e-mail) is also indexed joined (wifi, email), as people type it either way.
  let hyphenated: { word: string; end: number } | null = null;
  for (const segment of words.segment(text)) {
    if (!segment.isWordLike) {
      if (!(segment.segment === '-' && hyphenated?.end === segment.index)) hyphenated = null;
      continue;
    }
    const word = normalize(segment.segment);
    const joinsHyphen: boolean = hyphenated !== null && hyphenated.end + 1 === segment.index && latin.test(word);
    if (joinsHyphen) {
      const joined = stemmer(hyphenated!.word + word.replace(/[_-]+/g, ''));
      if (joined !== '') push(joined, false);
    }
    hyphenated = latin.test(word) ? { word: (joinsHyphen ? hyphenated!.word : '') + word.replace(/[_-]+/g, ''), end: segment.index + segment.segment.length } : null;
    const isSingleCjk = word.length === 1 && cjk.test(word) && !stopWords.has(word);
    // A run of single characters is a word the dictionary does not know (公积金 -> 公 积 金):
    // index its character pairs too, before stop words are dropped.
    if (isSingleCjk && previousSingleCharEnd === segment.index) push(previousSingleChar + word, false);
    previousSingleCharEnd = isSingleCjk ? segment.index + segment.segment.length : -1;
    previousSingleChar = word;
    if (word === '' || stopWords.has(word)) continue;
    const filler = fillerWords.has(word);
    if (cjk.test(word)) {
      push(word, filler);
      // Long CJK words also index their character pairs, so that a question segmented
      // differently from the document still meets it.
      if (word.length >= 3) for (let i = 0; i + 2 <= word.length; i++) push(word.slice(i, i + 2), filler);
    } else if (latin.test(word)) {
      const plain = word.replace(/[_-]+/g, '');
      const stem = stemmer(irregular.get(plain) ?? plain);
      if (stem !== '') push(stem, filler);
    } else {
      push(word, filler);
    }
  }
  return terms;
}

/** How much a question's term counts: chat filler counts little, every other term fully. */
export const fillerWeight = 0.2;

/**
 * The distinct terms of a question with their weight in it: 1, or `fillerWeight` for a term that
 * only ever came from chat filler ("use", "get", "new", 一下).
 */
export function queryTerms(text: string, weightOfFiller = fillerWeight): Map<string, number> {
  const weights = new Map<string, number>();
  for (const { term, filler } of analyze(text)) weights.set(term, Math.max(weights.get(term) ?? 0, filler ? weightOfFiller : 1));
  return weights;
}

/**
 * The characters of a CJK word that carry meaning (几天 -> 天): a question word the documents
 * never use ("how many days") still finds passages that hold the characters.
 */
export function cjkCharacters(term: string): string[] {
  if (term.length < 2 || !cjk.test(term)) return [];
  return [...term].filter((char) => cjk.test(char) && !stopWords.has(char));
}

/** Distinct search terms of `text`, in first-seen order. */
export function distinctTerms(text: string): string[] {
  return [...new Set(searchTerms(text))];
}

// ICU breaks after these although the sentence goes on.
const abbreviation = /(?:^|\s)(?:e\.g|i\.e|etc|vs|dr|mr|mrs|ms|no|st|inc|approx|cf|[a-z])\.$/i;

/** Sentences of `text` (Chinese and English punctuation alike), trimmed, empty ones dropped. */
export function splitSentences(text: string): string[] {
  const result: string[] = [];
  let pending = '';
  for (const segment of sentences.segment(text)) {
    pending += segment.segment;
    const sentence = pending.trim();
    if (sentence === '' || abbreviation.test(sentence)) continue;
    result.push(sentence);
    pending = '';
  }
  if (pending.trim() !== '') result.push(pending.trim());
  return result;
}
