// The CLI under access rules: `ask` without --as answers as nobody in particular (what everyone
// may read), with --as as that person; `access` shows an admin what a person reads where.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { accessSetup, people, places, question, secret } from './access/access-fixtures.js';
import { groundwork, tempDir } from './helpers.js';

describe('groundwork CLI under access rules', function () {
  this.timeout(120_000);
  let env: Record<string, string>;
  before(async () => {
    env = { ...accessSetup().env, GROUNDWORK_DATA_DIR: tempDir('groundwork-data-'), LOG_LEVEL: 'info' };
    const sync = await groundwork(['sync'], env);
    assert.equal(sync.code, 0, sync.stderr);
  });

  it('ask: without --as only what everyone may read; --as gives that person\'s access; a bad --as is a usage error', async () => {
    const anyone = await groundwork(['ask', question], env);
    assert.equal(anyone.code, 0, anyone.stderr);
    assert.ok(!anyone.stdout.includes(secret));
    assert.match(anyone.stdout, /Salary reviews/);
    const hr = await groundwork(['ask', '--as', `slack:${people.slack.hr}`, '--json', question], env);
    assert.ok(JSON.parse(hr.stdout).answer.includes(secret));
    const other = await groundwork(['ask', '--as', `teams:${people.teams.other}`, question], env);
    assert.ok(!other.stdout.includes(secret));
    const bad = await groundwork(['ask', '--as', 'someone', question], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--as must be slack:<user id> or teams:<Entra object id>/);
    assert.ok(!`${anyone.stderr}${other.stderr}`.includes(secret), 'nor in the logs');
  });

  it('access: what a person reads in a DM and in a channel, as text and as JSON', async () => {
    const dm = await groundwork(['access', '--platform', 'slack', '--user', people.slack.hr, '--json'], env);
    assert.equal(dm.code, 0, dm.stderr);
    const view = JSON.parse(dm.stdout);
    assert.deepEqual(view.readers, ['everyone', `slack:${people.slack.hr}`, 'group:hr']);
    assert.equal(view.documents, 5);
    assert.deepEqual(view.sources, [{ name: 'docs', documents: 3, labels: {} }, { name: 'it', documents: 1, labels: {} }, { name: 'legal', documents: 1, labels: {} }]);

    const channel = await groundwork(['access', '--platform', 'slack', '--user', people.slack.hr, '--channel', places.slack.general], env);
    assert.match(channel.stdout, new RegExp(`slack:${people.slack.hr} in slack-channel:${places.slack.general} reads as: everyone, slack-channel:${places.slack.general}`));
    assert.match(channel.stdout, /3 documents readable:\n- docs: 2 documents\n- it: 1 document\n/);
    assert.match(channel.stdout, /Sent privately as well: 2 more documents/);

    const other = JSON.parse((await groundwork(['access', '--platform', 'teams', '--user', people.teams.other, '--json'], env)).stdout);
    assert.equal(other.documents, 3);
    const itHelp = JSON.parse((await groundwork(['access', '--platform', 'slack', '--user', people.slack.hr, '--channel', places.slack.itHelp, '--json'], env)).stdout);
    assert.deepEqual(itHelp.answersFrom, ['it']);
    assert.deepEqual([itHelp.documents, itHelp.privately.documents], [1, 0], 'in #it-help, the IT page only: nothing more to send privately');
    const bad = await groundwork(['access', '--platform', 'email', '--user', 'x'], env);
    assert.equal(bad.code, 2);
  });

  it('access: shows the readers of an access file edited since the last sync, and takes --team for Teams only', async () => {
    // The legal pages opened to one more person, with no sync since.
    const edited = path.join(tempDir('groundwork-access-'), 'access.yaml');
    fs.writeFileSync(edited, fs.readFileSync(env.ACCESS_FILE!, 'utf8').replace('    readers: [group:hr]', `    readers: [group:hr, teams:${people.teams.other}]`));
    const view = JSON.parse((await groundwork(['access', '--platform', 'teams', '--user', people.teams.other, '--json'], { ...env, ACCESS_FILE: edited })).stdout);
    assert.equal(view.documents, 4, 'the three everyone may read and the legal page');
    const team = await groundwork(['access', '--platform', 'slack', '--user', people.slack.hr, '--team', 'T0TEAM'], env);
    assert.equal(team.code, 2);
    assert.match(team.stderr, /--team is for Teams/);
  });

  it('status shows the rules in force', async () => {
    const status = await groundwork(['status'], env);
    assert.match(status.stdout, /Access file .*access\.yaml: documents no rule matches are readable by everyone\.\ndocs hr\/\*\* → group:hr, slack-channel:CHRTEAM1/);
  });
});
