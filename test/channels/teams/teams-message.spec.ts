import assert from 'node:assert/strict';
import { answerActivity, suggestedActions } from '../../../src/channels/teams/teams-message.js';
import type { Answer, Passage } from '../../../src/domain.js';

const passage = (i: number, text = `Passage ${i} says something useful about travel.`): Passage => ({
  chunkIds: [`d${i}:0`],
  document: { id: `d${i}`, source: 'wiki', path: `travel/${i}.md`, title: `A travel page with a rather long title that goes on and on, number ${i}`, url: `https://wiki.example.com/pages/${i}`, updatedAt: new Date('2026-03-04T00:00:00Z'), superseded: false, readers: ['everyone'] },
  headingPath: ['Travel', 'Europe', 'Germany', 'Hotels'],
  text,
  score: 0.9,
});

const answer = (text: string, count: number, mode: Answer['mode'] = 'generated'): Answer => ({
  text,
  citations: Array.from({ length: count }, (_, i) => ({ n: i + 1, passage: passage(i + 1, 'x'.repeat(500)) })),
  confidence: 'answer',
  grounded: true,
  mode,
  searched: [],
});

describe('Teams answer message', () => {
  it('keeps each citation within Teams\' limits: 20 at most, names of 80 characters, abstracts of 160, 3 keywords', () => {
    const activity = answerActivity(answer('Hotels are capped [1][2].', 25));
    const [entity] = activity.entities as any[];
    assert.equal(entity.citation.length, 20);
    for (const citation of entity.citation) {
      assert.ok(citation.appearance.name.length <= 80);
      assert.ok(citation.appearance.abstract.length <= 160);
      // The date first, then the deepest headings in the room left.
      assert.deepEqual(citation.appearance.keywords, ['updated 4 Mar 2026', 'Germany', 'Hotels']);
      for (const keyword of citation.appearance.keywords) assert.ok(keyword.length <= 28);
      assert.match(citation.appearance.url, /^https:\/\/wiki\.example\.com\/pages\/\d+$/);
    }
    assert.deepEqual(entity.additionalType, ['AIGeneratedContent']);
    assert.match(activity.text!, /\*\*Sources\*\*\n\n\[1\] \[A travel page .*\]\(https:\/\/wiki\.example\.com\/pages\/1\) · updated 4 Mar 2026  \n\[2\]/);
  });

  it('shortens an answer too long for one Teams message instead of failing', () => {
    const long = `${'Every employee books trains for trips under five hours. '.repeat(4000)}[1]`;
    const activity = answerActivity(answer(long, 3));
    const bytes = Buffer.byteLength(JSON.stringify(activity));
    assert.ok(bytes <= 80 * 1024, `${bytes} bytes`);
    assert.match(activity.text!, /… \(shortened\)\n\n\*\*Sources\*\*/);
    assert.equal((activity.entities as any[])[0].citation.length, 3);
  });

  it('lists the closest passages under a heading that says they are not a direct answer', () => {
    const activity = answerActivity({ ...answer("I couldn't find a clear answer. The closest I found:\n- “Travel”: Hotels are capped. [1]", 1, 'extractive'), confidence: 'closest', grounded: false });
    assert.match(activity.text!, /\*\*Closest matches \(not a direct answer\)\*\*\n\n\[1\] /);
    assert.doesNotMatch(activity.text!, /\*\*Sources\*\*/);
  });

  it('sends an answer that cites nothing without a citation entity, feedback still on', () => {
    const activity = answerActivity({ text: 'I could not find that in the documents.', citations: [], confidence: 'none', grounded: false, mode: 'extractive', searched: [] });
    assert.deepEqual(activity.entities, []);
    assert.equal(activity.text, 'I could not find that in the documents.');
    assert.equal((activity.channelData as { feedbackLoopEnabled: boolean }).feedbackLoopEnabled, true);
  });

  it('shows no link that is not http(s): a javascript: url becomes the bare title, in the Sources list and the citation entity', () => {
    const unsafe = answer('Hotels are capped [1][2][3].', 3);
    const urls = ['javascript:alert(1)', ' JaVaScRiPt:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>'];
    unsafe.citations.forEach((citation, i) => (citation.passage = { ...citation.passage, document: { ...citation.passage.document, url: urls[i]! } }));
    const activity = answerActivity(unsafe);
    const [entity] = activity.entities as any[];
    for (const citation of entity.citation) assert.equal(citation.appearance.url, undefined);
    assert.match(activity.text!, /\*\*Sources\*\*\n\n\[1\] A travel page [^\n]*number 1 · updated 4 Mar 2026  \n\[2\] A travel page/);
    assert.doesNotMatch(activity.text!, /javascript|data:|\]\(/i);
  });

  it('writes a source link so that its url cannot end the Markdown link early', () => {
    const tricky = answer('Hotels are capped [1].', 1);
    tricky.citations[0]!.passage = { ...tricky.citations[0]!.passage, document: { ...tricky.citations[0]!.passage.document, url: 'https://wiki.example.com/a)[evil](javascript:alert(1)' } };
    const activity = answerActivity(tricky);
    assert.match(activity.text!, /\[1\] \[A travel page [^\]]*\]\(https:\/\/wiki\.example\.com\/a%29\[evil\]%28javascript:alert%281%29\)/);
    assert.equal((activity.entities as any[])[0].citation[0].appearance.url, 'https://wiki.example.com/a)[evil](javascript:alert(1)');
  });

  it('defuses links in the answer text whose target is not http(s), keeping their words', () => {
    const activity = answerActivity(answer('See [the form](javascript:alert(1)) or [the portal](https://hr.example.com/form) [1].\n\n[1]: javascript:alert(2)', 1));
    assert.match(activity.text!, /^See \[the form\]\\\(javascript:alert\(1\)\) or \[the portal\]\(https:\/\/hr\.example\.com\/form\) \[1\]\.\n\n\[1\]\\: javascript:alert\(2\)/);
  });

  it('links each source at the section it quotes, with its page, date and stale note, in the Sources list and the citation', () => {
    const located = answer('Hotels are capped [1][2].', 2);
    located.citations[0]!.passage = { ...located.citations[0]!.passage, location: { anchor: 'hotel-limits' } };
    located.citations[1] = { ...located.citations[1]!, stale: true, passage: { ...located.citations[1]!.passage, document: { ...located.citations[1]!.passage.document, url: 'https://wiki.example.com/files/policy.pdf' }, location: { page: 4 } } };
    const activity = answerActivity(located);
    assert.match(activity.text!, /\[1\] \[[^\]]*\]\(https:\/\/wiki\.example\.com\/pages\/1#hotel-limits\) · updated 4 Mar 2026  \n/);
    assert.match(activity.text!, /\[2\] \[[^\]]*\]\(https:\/\/wiki\.example\.com\/files\/policy\.pdf#page=4\) · p\. 4 · updated 4 Mar 2026 · may be out of date$/);
    const [first, second] = (activity.entities as any[])[0].citation;
    assert.equal(first.appearance.url, 'https://wiki.example.com/pages/1#hotel-limits');
    assert.equal(second.appearance.url, 'https://wiki.example.com/files/policy.pdf#page=4');
    assert.deepEqual(second.appearance.keywords, ['p. 4', 'updated 4 Mar 2026', 'may be out of date']);
  });

  it('writes the details in Chinese under a Chinese answer', () => {
    const chinese = answer('酒店费用有上限 [1]。', 1);
    const activity = answerActivity(chinese);
    assert.match(activity.text!, /\*\*来源\*\*\n\n\[1\] \[[^\]]*\]\([^)]*\) · 更新于 2026-03-04$/);
  });

  it('carries the suggested actions it is given, and none otherwise', () => {
    const suggested = { to: ['user-1'], actions: [{ type: 'imBack', title: 'What about trains?', value: 'What about trains?' }] };
    assert.deepEqual(answerActivity(answer('Hotels are capped [1].', 1), { suggestedActions: suggested }).suggestedActions, suggested);
    assert.equal('suggestedActions' in answerActivity(answer('Hotels are capped [1].', 1)), false);
  });

  it('makes imBack actions of follow-up questions for the asker, or none without questions', () => {
    assert.deepEqual(suggestedActions(['What about sick leave?'], ['user-1']), { to: ['user-1'], actions: [{ type: 'imBack', title: 'What about sick leave?', value: 'What about sick leave?' }] });
    assert.equal(suggestedActions([], ['user-1']), undefined);
  });
});
