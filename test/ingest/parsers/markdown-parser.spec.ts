import assert from 'node:assert/strict';
import { parseMarkdown } from '../../../src/ingest/parsers/markdown-parser.js';

const md = (text: string) => parseMarkdown(Buffer.from(text));

describe('parseMarkdown', () => {
  it('takes the title from front matter before the first heading', () => {
    assert.equal(md('---\ntitle: Leave policy\n---\n# Leave\n\nText.').title, 'Leave policy');
    assert.equal(md('Intro.\n\n## Annual leave\n\nText.').title, 'Annual leave');
    assert.equal(md('Just text.').title, null);
    assert.equal(md('---\ntitle: Logging in &amp; <em>Networks</em>\n---\nText.').title, 'Logging in & Networks');
  });

  it('keeps the heading path of every section', () => {
    const { sections } = md('# Leave\n\nIntro.\n\n## Annual\n\nTwenty days.\n\n### Carry over\n\nFive days.\n\n## Sick\n\nCall in.');
    assert.deepEqual(
      sections.map((s) => [s.headingPath.join(' > '), s.text]),
      [
        ['Leave', 'Intro.'],
        ['Leave > Annual', 'Twenty days.'],
        ['Leave > Annual > Carry over', 'Five days.'],
        ['Leave > Sick', 'Call in.'],
      ],
    );
  });

  it('renders lists one item a line and tables as "header: value" rows, without Markdown syntax', () => {
    const { sections } = md(
      '# Days\n\n- **Annual** leave\n- [Sick](http://x) leave\n\n1. First\n2. Second\n\n| Type | Days |\n|---|---|\n| Annual | 28 |\n| 婚假 | 3 |',
    );
    assert.equal(sections[0]!.text, '- Annual leave\n- Sick leave\n1. First\n2. Second\nType: Annual; Days: 28\nType: 婚假; Days: 3');
  });

  it('joins hard-wrapped paragraph lines into one line so that sentences stay whole', () => {
    assert.equal(md('One sentence that\nwraps in the source. Another.').sections[0]!.text, 'One sentence that wraps in the source. Another.');
  });

  it('drops template tags and HTML comments but keeps the text between them', () => {
    const { sections } = md('{% alert "Note" %}\nBook **early**.\n{% endalert %}\n<!-- hidden -->\n{{ page.title }} Done.');
    assert.equal(sections[0]!.text, 'Book early.\nDone.');
  });

  it('refuses binary content with a clear reason', () => {
    assert.throws(() => parseMarkdown(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13])), /not a text file/);
  });

  it('reads a list nested 2,000 deep (3.9 MB), every item a line, flattened below the deepest level it keeps', () => {
    const source = Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i)}- item ${i}`).join('\n');
    assert.ok(source.length > 3_900_000);
    assert.deepEqual(md(source).sections[0]!.text.split('\n'), Array.from({ length: 2000 }, (_, i) => `- item ${i}`));
  });

  it('reads quotes and list markers nested 100,000 deep on one line', () => {
    assert.equal(md(`${'>'.repeat(100_000)} Quoted deep.`).sections[0]!.text, 'Quoted deep.');
    assert.match(md(`${'- '.repeat(100_000)}Listed deep.`).sections[0]!.text, /^(-\n){8}Listed deep\.$/);
  });

  it('reads inline text with thousands of emphasis and link delimiters as its words', () => {
    const emphasis = md(`${'*a '.repeat(10_000)}middle${' b*'.repeat(10_000)}`).sections[0]!.text;
    assert.match(emphasis, /^a a a .* middle b b b .* b$/);
    assert.doesNotMatch(emphasis, /\*/);
    const links = md(`See ${'[the guide](https://example.com/guide) '.repeat(2000)}today.`).sections[0]!.text;
    assert.match(links, /^See the guide the guide .* today\.$/);
    assert.doesNotMatch(links, /example\.com/);
    // Few delimiters: marked as before.
    assert.equal(md('Use **2 * 3** and snake_case_names.').sections[0]!.text, 'Use 2 * 3 and snake_case_names.');
  });
});
