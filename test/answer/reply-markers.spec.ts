import assert from 'node:assert/strict';
import { followUpsMarker, gateReply, notInSourcesMarker, splitFollowUps } from '../../src/answer/reply-markers.js';

/** What a reader is shown when `reply` streams in pieces of `size` characters. */
function streamed(reply: string, size: number): string {
  let shown = '';
  const gate = gateReply((piece) => (shown += piece));
  for (let at = 0; at < reply.length; at += size) gate(reply.slice(at, at + size));
  return shown;
}

describe('reply markers', () => {
  const answer = 'Full-time employees get 28 days [1]. Unused days carry over until March [2].';
  const reply = `${answer}\n\n${followUpsMarker}\nHow do I request leave?\nWhat about sick leave?`;

  it('streams the answer and never the follow-ups line, however the pieces split the marker', () => {
    for (const size of [1, 2, 3, 5, 7, 11, 12, 64, 1000]) {
      const shown = streamed(reply, size);
      assert.equal(shown.trimEnd(), answer, `pieces of ${size}`);
      assert.doesNotMatch(shown, /FOLLOW|request leave/, `pieces of ${size}`);
    }
  });

  it('holds back only what could still become the marker, and shows it when it does not', () => {
    const text = 'Ask HR. FOLLOW the steps in FOLLOW_UP form.';
    for (const size of [1, 3, 12]) assert.equal(streamed(text, size), text, `pieces of ${size}`);
    const shown: string[] = [];
    const gate = gateReply((piece) => shown.push(piece));
    gate('Ask HR. FOLL');
    assert.deepEqual(shown, ['Ask HR. '], 'the possible start of the marker is held');
    gate('OW the steps');
    assert.deepEqual(shown, ['Ask HR. ', 'FOLLOW the steps'], 'and released once it is not the marker');
  });

  it('shows nothing of a reply that opens with the not-in-sources marker', () => {
    for (const size of [1, 4, 12]) assert.equal(streamed(`  ${notInSourcesMarker}\nThe sources cover annual leave only.`, size), '');
    assert.equal(streamed('NOT really [1].', 2), 'NOT really [1].');
  });

  it('splits the answer from at most three plain suggestions, without list marks, quotes or citations', () => {
    const split = splitFollowUps(`${answer}\n${followUpsMarker}\n1. "How do I request leave?" [1]\n- What about sick leave?\n\n* What about sick leave?\n• Who approves leave?\nOne too many?`);
    assert.equal(split.text, answer);
    assert.deepEqual(split.followUps, ['How do I request leave?', 'What about sick leave?', 'Who approves leave?']);
    assert.deepEqual(splitFollowUps(`${answer} ${followUpsMarker} Can I carry days over? | 年假可以顺延吗？`).followUps, ['Can I carry days over?', '年假可以顺延吗？']);
    assert.deepEqual(splitFollowUps(answer), { text: answer, followUps: [] });
    // The marker dressed up by the model: bold, a heading, no colon.
    for (const dressed of ['**FOLLOW_UPS:**', '**FOLLOW_UPS**:', '### FOLLOW_UPS', 'FOLLOW_UPS']) {
      assert.deepEqual(splitFollowUps(`${answer}\n\n${dressed}\n- Who approves leave?`), { text: answer, followUps: ['Who approves leave?'] }, dressed);
      assert.doesNotMatch(streamed(`${answer}\n\n${dressed}\n- Who approves leave?`, 5), /FOLLOW|approves/, dressed);
    }
  });

  it('drops suggestions that are not plain questions: links, mentions, markup, the overlong', () => {
    const split = splitFollowUps(
      `${answer}\n${followUpsMarker}\nSee https://evil.example/x?\nwww.evil.example?\n<@U0ADMIN> sync now\n<script>alert(1)</script>\n**Bold** question?\nrun \`rm -rf\`?\n${'Why '.repeat(40)}?\nIs parental leave paid?`,
    );
    assert.deepEqual(split.followUps, ['Is parental leave paid?']);
  });
});
