import assert from 'node:assert/strict';
import { answerMessages, splitText } from '../../../src/channels/slack/slack-message.js';
import { markdownToMrkdwn } from '../../../src/channels/slack/slack-mrkdwn.js';
import type { Answer } from '../../../src/domain.js';

const answer = (text: string): Answer => ({
  text,
  citations: [
    {
      n: 1,
      passage: {
        chunkIds: ['a:0'],
        document: { id: 'a', source: 'wiki', path: 'travel.md', title: 'Travel <policy> & hotels', url: 'https://wiki.example.com/pages/viewpage.action?pageId=1&x=2', updatedAt: new Date('2026-03-04T00:00:00Z'), superseded: false, readers: ['everyone'] },
        headingPath: [],
        text: 'Hotels are capped.',
        score: 1,
      },
    },
  ],
  confidence: 'answer',
  grounded: true,
  mode: 'generated',
  searched: [],
});

describe('Slack rendering', () => {
  it('turns Markdown into mrkdwn: bold, italics, links, lists, code and escapes', () => {
    assert.equal(
      markdownToMrkdwn('**Book** _trains_ via [the portal](https://t.example.com/?a=1&b=2) [1].\n\n- one\n- two `x < y`\n\n1. first\n2. second\n\n```\nnpm ci\n```\n\nA & B <C>'),
      '*Book* _trains_ via <https://t.example.com/?a=1&amp;b=2|the portal> [1].\n\n• one\n• two `x < y`\n\n1. first\n2. second\n\n```\nnpm ci\n```\n\nA &amp; B &lt;C&gt;',
    );
  });

  it('lists the sources with escaped titles, links and dates', () => {
    const [message] = answerMessages(answer('Hotels are capped [1].'));
    const sources = message!.blocks.find((b) => b.block_id === 'sources') as { elements: Array<{ text: string }> };
    assert.equal(sources.elements[0]!.text, '[1] <https://wiki.example.com/pages/viewpage.action?pageId=1&amp;x=2|Travel &lt;policy&gt; &amp; hotels> · updated 4 Mar 2026');
  });

  it('opens a source at the section or PDF page it quotes, and says where it is and whether it may be out of date', () => {
    const sourcesOf = (given: Answer) => (answerMessages(given)[0]!.blocks.find((b) => b.block_id === 'sources') as { elements: Array<{ text: string }> }).elements[0]!.text;
    const pdf = answer('Hotels are capped [1].');
    const citation = pdf.citations[0]!;
    citation.passage = { ...citation.passage, location: { page: 4 }, document: { ...citation.passage.document, url: 'https://files.example.com/travel.pdf', updatedAt: new Date('2026-03-14T00:00:00Z') } };
    citation.stale = true;
    assert.equal(sourcesOf(pdf), '[1] <https://files.example.com/travel.pdf#page=4|Travel &lt;policy&gt; &amp; hotels> · p. 4 · updated 14 Mar 2026 · may be out of date');

    const section = answer('Hotels are capped [1].');
    section.citations[0]!.passage = { ...section.citations[0]!.passage, location: { anchor: 'Hotels' }, document: { ...section.citations[0]!.passage.document, url: 'https://wiki.example.com/travel' } };
    assert.match(sourcesOf(section), /^\[1\] <https:\/\/wiki\.example\.com\/travel#Hotels\|/);

    const sheet = answer('酒店有上限 [1]。');
    sheet.citations[0]!.passage = { ...sheet.citations[0]!.passage, location: { sheet: 'R&D <2026>' } };
    assert.match(sourcesOf(sheet), / · 工作表 R&amp;D &lt;2026&gt; · 更新于 2026-03-04$/);
  });

  it('asks for no feedback on an ephemeral answer, which cannot be rated, keeping its sources', () => {
    const [ephemeral] = answerMessages(answer('Hotels are capped [1].'), 'none');
    assert.ok(!ephemeral!.blocks.some((block) => block.block_id === 'feedback'));
    assert.ok(ephemeral!.blocks.some((block) => block.block_id === 'sources'));
  });

  it('asks for feedback with Slack\'s native thumbs when asked to, keeping plain buttons as the fallback', () => {
    const [plain] = answerMessages(answer('Hotels are capped [1].'));
    assert.equal(plain!.blocks.at(-1)!.type, 'actions');
    assert.equal(plain!.fallbackBlocks, undefined);

    const [native] = answerMessages(answer('Hotels are capped [1].'), 'native');
    const feedback = native!.blocks.at(-1) as { type: string; block_id: string; elements: Array<Record<string, any>> };
    assert.equal(feedback.type, 'context_actions');
    assert.equal(feedback.block_id, 'feedback');
    const [thumbs] = feedback.elements;
    assert.equal(thumbs!.type, 'feedback_buttons');
    assert.equal(thumbs!.action_id, 'feedback_thumbs');
    assert.equal(thumbs!.positive_button.value, 'like');
    assert.equal(thumbs!.negative_button.value, 'dislike');
    assert.deepEqual(native!.fallbackBlocks!.slice(0, -1), native!.blocks.slice(0, -1));
    assert.deepEqual(native!.fallbackBlocks!.at(-1), plain!.blocks.at(-1));
  });

  it('splits a long answer into sections of 3,000 characters and messages of 50 blocks, sources and buttons on the last', () => {
    const paragraph = 'Every employee books trains for trips under five hours, and flights otherwise. '.repeat(30);
    const long = Array.from({ length: 80 }, () => paragraph.trim()).join('\n\n');
    const messages = answerMessages(answer(long));
    assert.ok(messages.length >= 2, `${messages.length} messages`);
    for (const message of messages) {
      assert.ok(message.blocks.length <= 50);
      assert.ok(message.text.length <= 40_000);
      for (const block of message.blocks) if (block.type === 'section') assert.ok((block.text as { text: string }).text.length <= 3000);
    }
    assert.equal(messages.flatMap((m) => m.blocks).filter((b) => b.block_id === 'feedback').length, 1);
    assert.equal(messages.at(-1)!.blocks.at(-1)!.block_id, 'feedback');
    const rejoined = messages.flatMap((m) => m.blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text)).join(' ');
    assert.equal(rejoined.replace(/\s+/g, ' '), long.replace(/\s+/g, ' '), 'nothing lost in the split');
  });

  it('labels the closest passages as not a direct answer, in the language of the reply', () => {
    const [closest] = answerMessages({ ...answer("I couldn't find a clear answer. The closest I found:\n- “Travel”: Hotels are capped. [1]"), confidence: 'closest', grounded: false });
    assert.deepEqual(closest!.blocks[0], { type: 'context', block_id: 'closest', elements: [{ type: 'mrkdwn', text: ':mag: *Closest match*, not a direct answer' }] });
    const [chinese] = answerMessages({ ...answer('我没有在文档中找到明确的答案。最接近的内容如下：\n- 《出差》：酒店有上限。 [1]'), confidence: 'closest', grounded: false });
    assert.match((chinese!.blocks[0]!.elements as Array<{ text: string }>)[0]!.text, /最接近的内容/);
    const [direct] = answerMessages(answer('Hotels are capped [1].'));
    assert.ok(direct!.blocks.every((b) => b.block_id !== 'closest'));
  });

  it('splits at paragraph or word boundaries', () => {
    assert.deepEqual(splitText('alpha beta gamma delta', 11), ['alpha beta', 'gamma delta']);
    assert.deepEqual(splitText('first paragraph\n\nsecond one', 20), ['first paragraph', 'second one']);
  });

  it('shows no source link that is not http(s), and keeps a "|" in a url from ending the link early', () => {
    const unsafe = answer('Hotels are capped [1].');
    unsafe.citations[0]!.passage = { ...unsafe.citations[0]!.passage, document: { ...unsafe.citations[0]!.passage.document, url: 'javascript:alert(1)' } };
    const [message] = answerMessages(unsafe);
    const sources = message!.blocks.find((b) => b.block_id === 'sources') as { elements: Array<{ text: string }> };
    assert.equal(sources.elements[0]!.text, '[1] Travel &lt;policy&gt; &amp; hotels · updated 4 Mar 2026');

    const piped = answer('Hotels are capped [1].');
    piped.citations[0]!.passage = { ...piped.citations[0]!.passage, document: { ...piped.citations[0]!.passage.document, url: 'https://wiki.example.com/a|javascript:alert(1)' } };
    const [pipedMessage] = answerMessages(piped);
    const pipedSources = pipedMessage!.blocks.find((b) => b.block_id === 'sources') as { elements: Array<{ text: string }> };
    assert.match(pipedSources.elements[0]!.text, /^\[1\] <https:\/\/wiki\.example\.com\/a%7Cjavascript:alert\(1\)\|Travel/);
  });

  it('keeps the words of a link in the answer text whose target is not http(s), without the link', () => {
    assert.equal(markdownToMrkdwn('Open [the form](javascript:alert(1)) or ![a chart](data:image/png;base64,AAAA) or [the portal](https://hr.example.com/).'), 'Open the form or a chart or <https://hr.example.com/|the portal>.');
  });
});
