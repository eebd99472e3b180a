import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseAccessFile } from '../../src/access/access-file.js';
import { ErrorCode } from '../../src/errors.js';
import { tempDir, testConfig } from '../helpers.js';

const sources = ['hr-private', 'wiki', 'it'];
const refused = (text: string) => {
  try {
    parseAccessFile(text, 'access.yaml', sources);
  } catch (error) {
    assert.equal((error as { code?: string }).code, ErrorCode.Config);
    return (error as Error).message;
  }
  assert.fail('the file was accepted');
};

describe('parseAccessFile', () => {
  it('reads default, groups, rules and channels', () => {
    const policy = parseAccessFile(
      [
        'default: nobody',
        'groups:',
        '  hr: [slack:U0HR1, teams:11111111-2222-3333-4444-555555555555]',
        'rules:',
        '  - source: hr-private',
        '    path: "salaries/**"',
        '    readers: [group:hr, slack-channel:C0HR]',
        '  - source: wiki',
        '    label: confidential',
        '    readers: [teams-team:19:abc@thread.tacv2]',
        '  - source: wiki',
        '    readers: everyone',
        'channels:',
        '  slack-channel:C0IT: [it]',
      ].join('\n'),
      'access.yaml',
      sources,
    );
    assert.equal(policy.data.default, 'nobody');
    assert.deepEqual(policy.data.groups.get('hr'), ['slack:U0HR1', 'teams:11111111-2222-3333-4444-555555555555']);
    assert.deepEqual(
      policy.data.rules.map(({ source, path, label, readers, line }) => ({ source, path, label, readers, line })),
      [
        { source: 'hr-private', path: 'salaries/**', label: null, readers: ['group:hr', 'slack-channel:C0HR'], line: 5 },
        { source: 'wiki', path: null, label: 'confidential', readers: ['teams-team:19:abc@thread.tacv2'], line: 8 },
        { source: 'wiki', path: null, label: null, readers: ['everyone'], line: 11 },
      ],
    );
    assert.deepEqual(policy.data.channels.get('slack-channel:C0IT'), ['it']);
  });

  it('refuses groups and channels that are not mappings, and rules that are not a list, each with its line', () => {
    const message = refused(['groups:', '  - slack:U0HR1', 'rules: everyone', 'channels: it'].join('\n'));
    assert.match(message, /line 2: groups must map each group name to a list of people/);
    assert.match(message, /line 3: rules must be a list/);
    assert.match(message, /line 4: channels must map a channel \(slack-channel:<id>, teams-channel:<id>, teams-team:<id>\) to its sources/);
  });

  it('names the line of every problem: unknown source, unknown group, empty readers, a glob it cannot parse, a reader of no known kind', () => {
    const message = refused(
      [
        'groups:',
        '  hr: [slack:U0HR1]',
        'rules:',
        '  - source: payroll',
        '    readers: [group:hr]',
        '  - source: wiki',
        '    readers: [group:legal]',
        '  - source: wiki',
        '    readers: []',
        '  - source: it',
        '    path: "runbooks/[a-"',
        '    readers: [everyone]',
        '  - source: it',
        '    readers: [bob]',
      ].join('\n'),
    );
    assert.match(message, /ACCESS_FILE access\.yaml/);
    assert.match(message, /line 4: unknown source "payroll" \(sources: hr-private, wiki, it\)/);
    assert.match(message, /line 7: unknown group "legal" in readers \(groups: hr\)/);
    assert.match(message, /line 9: a rule needs at least one reader/);
    assert.match(message, /line 11: path "runbooks\/\[a-" is not a glob that can be parsed/);
    assert.match(message, /line 14: "bob" in readers is not a reader/);
  });

  it('refuses YAML it cannot parse, unknown keys, a rule without source, a group of non-people and a default of another kind, with lines', () => {
    assert.match(refused('rules:\n  - source: wiki\n    readers: [everyone\n'), /line \d+: /);
    assert.match(refused('defualt: everyone\n'), /line 1: unknown key "defualt"/);
    assert.match(refused('rules:\n  - readers: [everyone]\n'), /line 2: a rule needs a source/);
    assert.match(refused('rules:\n  - source: wiki\n    reader: [everyone]\n'), /line 3: unknown rule key "reader"/);
    assert.match(refused('groups:\n  hr: [slack-channel:C0HR]\n'), /line 2: "slack-channel:C0HR" in group hr is not a person/);
    assert.match(refused('default: some\n'), /line 1: default must be "everyone" or "nobody"/);
    assert.match(refused('channels:\n  general: [wiki]\n'), /line 2: "general" is not a channel/);
    assert.match(refused('channels:\n  slack-channel:C1: [payroll]\n'), /line 2: unknown source "payroll"/);
    assert.match(refused('rules:\n  - source: wiki\n    path: "../other/**"\n    readers: [everyone]\n'), /line 3: path "\.\.\/other\/\*\*" is not a glob/);
  });

  it('fails the configuration at start-up (ACCESS_FILE), naming the file and the line; a file that cannot be read too', () => {
    const dir = tempDir();
    const file = path.join(dir, 'access.yaml');
    fs.writeFileSync(file, 'rules:\n  - source: nowhere\n    readers: [everyone]\n');
    assert.throws(() => testConfig({ ACCESS_FILE: file }), (error: Error) => /ACCESS_FILE .*access\.yaml:\n\s+line 2: unknown source "nowhere" \(sources: samples, wiki, intranet\)/.test(error.message));
    assert.throws(() => testConfig({ ACCESS_FILE: path.join(dir, 'missing.yaml') }), /ACCESS_FILE .*missing\.yaml cannot be read \(ENOENT\)/);
  });
});
