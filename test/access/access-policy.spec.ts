import assert from 'node:assert/strict';
import { AccessPolicy } from '../../src/access/access-policy.js';
import { parseAccessFile } from '../../src/access/access-file.js';

const policy = parseAccessFile(
  [
    'default: everyone',
    'groups:',
    '  hr: [slack:UHR, teams:hr-object-id]',
    '  legal: [slack:ULEGAL]',
    'rules:',
    '  - source: hr',
    '    readers: [group:hr]',
    '  - source: hr',
    '    path: "public/**"',
    '    readers: [everyone]',
    '  - source: wiki',
    '    label: legal-hold',
    '    readers: [group:legal, slack-channel:CLEGAL]',
    '  - source: wiki',
    '    label: confluence-group:finance',
    '    readers: [slack:UFIN]',
    'channels:',
    '  slack-channel:CIT: [it]',
    '  teams-team:19:itteam: [it, wiki]',
  ].join('\n'),
  'access.yaml',
  ['hr', 'wiki', 'it'],
);

describe('AccessPolicy', () => {
  it('gives a document the union of the readers of every rule it matches, and the default when none matches', () => {
    assert.deepEqual(policy.readersOf({ source: 'hr', path: 'salaries/bands.md', labels: [] }), ['group:hr']);
    assert.deepEqual(policy.readersOf({ source: 'hr', path: 'public/holidays.md', labels: [] }), ['everyone', 'group:hr']);
    assert.deepEqual(policy.readersOf({ source: 'wiki', path: 'Home.html', labels: ['Legal-Hold'] }), ['group:legal', 'slack-channel:CLEGAL'], 'labels match whatever their case');
    assert.deepEqual(policy.readersOf({ source: 'wiki', path: 'Home.html', labels: [] }), ['everyone']);
    assert.deepEqual(parseAccessFile('default: nobody\n', 'a.yaml', ['wiki']).readersOf({ source: 'wiki', path: 'x', labels: [] }), []);
  });

  it('a document its export restricts is matched only by rules naming one of its labels, and never falls to the default', () => {
    assert.deepEqual(policy.readersOf({ source: 'wiki', path: 'Budget.html', labels: ['restricted', 'confluence-group:finance'] }), ['slack:UFIN']);
    assert.deepEqual(policy.readersOf({ source: 'wiki', path: 'Secret.html', labels: ['restricted', 'confluence-user:jdoe'] }), [], 'no rule for it: nobody');
    assert.deepEqual(policy.readersOf({ source: 'hr', path: 'salaries/x.md', labels: ['restricted'] }), [], 'a rule without a label does not open it');
  });

  it('without an access file, every document is readable by everyone', () => {
    const open = AccessPolicy.open();
    assert.deepEqual(open.readersOf({ source: 'anything', path: 'a', labels: ['restricted'] }), [], 'except what its export restricts');
    assert.deepEqual(open.readersOf({ source: 'anything', path: 'a', labels: [] }), ['everyone']);
    assert.equal(open.restricts, false);
  });

  it('a person reads as everyone, themselves and their groups; nobody identified reads as everyone', () => {
    assert.deepEqual(policy.principalsOf({ platform: 'slack', userId: 'UHR' }), ['everyone', 'slack:UHR', 'group:hr']);
    assert.deepEqual(policy.principalsOf({ platform: 'teams', userId: 'hr-object-id' }), ['everyone', 'teams:hr-object-id', 'group:hr']);
    assert.deepEqual(policy.principalsOf(null), ['everyone']);
  });

  it('in a DM the asker decides; in a channel everyone there, with a fuller answer only for an asker the rules give more', () => {
    const hr = { platform: 'slack' as const, userId: 'UHR' };
    assert.deepEqual(policy.audience(hr, { shared: false }), { readers: ['everyone', 'slack:UHR', 'group:hr'], askerReaders: null });
    assert.deepEqual(policy.audience(hr, { shared: true, principals: ['slack-channel:CGEN'] }), {
      readers: ['everyone', 'slack-channel:CGEN'],
      askerReaders: ['everyone', 'slack:UHR', 'group:hr', 'slack-channel:CGEN'],
    });
    assert.equal(policy.audience({ platform: 'slack', userId: 'UNOBODY' }, { shared: true, principals: ['slack-channel:CGEN'] }).askerReaders, null);
  });

  it('a channel answers from the sources the file gives it; a Teams channel by its team too', () => {
    assert.deepEqual(policy.audience(null, { shared: true, principals: ['slack-channel:CIT'] }).sources, ['it']);
    assert.deepEqual(policy.audience(null, { shared: true, principals: ['teams-channel:19:x', 'teams-team:19:itteam'] }).sources, ['it', 'wiki']);
    assert.equal(policy.audience(null, { shared: true, principals: ['slack-channel:CGEN'] }).sources, undefined);
  });

  it('changes its fingerprint when a rule changes, not when group members do', () => {
    const base = 'groups:\n  hr: [slack:U1]\nrules:\n  - source: hr\n    readers: [group:hr]\n';
    const a = parseAccessFile(base, 'a.yaml', ['hr']);
    const members = parseAccessFile(base.replace('[slack:U1]', '[slack:U1, slack:U2]'), 'a.yaml', ['hr']);
    const rule = parseAccessFile(base.replace('[group:hr]', '[group:hr, everyone]'), 'a.yaml', ['hr']);
    assert.equal(a.fingerprint, members.fingerprint);
    assert.notEqual(a.fingerprint, rule.fingerprint);
  });
});
