import assert from 'node:assert/strict';
import { isLoopbackUrl, parseActivity } from '../../../src/channels/teams/teams-activity.js';

const valid = { type: 'message', id: '1', channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/amer/', conversation: { id: 'a:1' }, from: { id: 'u' }, recipient: { id: 'b' }, text: 'hi', timestamp: '2026-01-02T03:04:05.000Z' };

describe('Teams activity', () => {
  it('takes a well-formed activity, keeping fields it does not know and turning timestamps into dates as botbuilder does', () => {
    const parsed = parseActivity({ ...valid, locale: 'en-US', value: { any: 'thing' } });
    assert.ok('activity' in parsed);
    assert.equal((parsed.activity as any).locale, 'en-US');
    assert.deepEqual(parsed.activity.value, { any: 'thing' });
    assert.ok(parsed.activity.timestamp instanceof Date);
    assert.equal((parsed.activity as any).rawTimestamp, '2026-01-02T03:04:05.000Z');
  });

  it('names what is wrong with a malformed one, in words of its own', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /the body is missing or has the wrong type/],
      [[valid], /the body/],
      ['message', /the body/],
      [{ ...valid, type: undefined }, /"type"/],
      [{ ...valid, type: '' }, /"type"/],
      [{ ...valid, type: 7 }, /"type"/],
      [{ ...valid, conversation: undefined }, /"conversation"/],
      [{ ...valid, conversation: { id: 5 } }, /"conversation.id"/],
      [{ ...valid, serviceUrl: undefined }, /"serviceUrl"/],
      [{ ...valid, serviceUrl: 'not a url' }, /"serviceUrl" is not a URL/],
      [{ ...valid, serviceUrl: 'javascript:alert(1)' }, /"serviceUrl" is not an http\(s\) URL/],
      [{ ...valid, text: null }, /"text"/],
      [{ ...valid, entities: 'mention' }, /"entities"/],
      [{ ...valid, entities: [null] }, /"entities.0"/],
      [{ ...valid, entities: [{ type: 'mention', mentioned: 'b' }] }, /"entities.0.mentioned"/],
      [{ ...valid, from: 'u' }, /"from"/],
      [{ ...valid, membersAdded: [{ id: 1 }] }, /"membersAdded.0.id"/],
    ];
    for (const [body, problem] of cases) {
      const parsed = parseActivity(body);
      assert.ok('problem' in parsed, JSON.stringify(body));
      assert.match(parsed.problem, problem, JSON.stringify(body));
    }
  });

  it('knows a serviceUrl on this machine: localhost, 127.0.0.0/8 and ::1 in any spelling', () => {
    for (const url of ['http://localhost:56150/', 'http://LOCALHOST/x', 'http://127.0.0.1:3978/', 'http://127.200.0.9/', 'http://[::1]:80/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/', 'http://0x7f.1/']) {
      assert.equal(isLoopbackUrl(url), true, url);
    }
    for (const url of ['https://smba.trafficmanager.net/amer/', 'http://10.0.0.1/', 'http://[::ffff:10.0.0.1]/', 'http://localhost.evil.example/', 'http://127.0.0.1.nip.io/', 'http://[::2]/', 'not a url', '']) {
      assert.equal(isLoopbackUrl(url), false, url);
    }
  });
});
