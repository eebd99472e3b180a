import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FakeSlackApi } from './fakes/slack-api.js';
import { folderWith, groundwork, tempDir } from './helpers.js';

// The exit codes the README documents: 0 done, 1 the command failed, 2 configuration or usage.
describe('groundwork exit codes', function () {
  this.timeout(60000);
  // Each test its own data folder, so none sees another's index.
  const freshEnv = (extra: Record<string, string> = {}) => ({ GROUNDWORK_DATA_DIR: tempDir('groundwork-exit-'), LOG_LEVEL: 'silent', ...extra });
  const handbook = () => folderWith({ 'leave.md': '# Annual leave\n\nEvery employee gets 28 days of paid annual leave a year.\n' });

  it('exits 0 when a sync succeeds', async () => {
    const { code, stdout, stderr } = await groundwork(['sync', '--source', `handbook=folder:${handbook()}`], freshEnv());
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^handbook: 1 added/);
  });

  it('exits 2 naming the setting when a setting is invalid', async () => {
    const { code, stderr } = await groundwork(['status'], freshEnv({ PORT: 'eighty' }));
    assert.equal(code, 2);
    assert.match(stderr, /PORT must be a whole number from 0 to 65535 \(got "eighty"\)/);
  });

  it('exits 2 when GROUNDWORK_SOURCES or --source is not a source spec', async () => {
    const setting = await groundwork(['status'], freshEnv({ GROUNDWORK_SOURCES: 'handbook=wiki:./docs' }));
    assert.equal(setting.code, 2);
    assert.match(setting.stderr, /GROUNDWORK_SOURCES "handbook=wiki:\.\/docs" has unknown kind "wiki"/);
    const option = await groundwork(['sync', '--source', 'just-a-folder'], freshEnv());
    assert.equal(option.code, 2);
    assert.match(option.stderr, /groundwork: --source "just-a-folder" is not of the form \[name=\]kind:path/);
  });

  it('exits 2 on a command line it cannot parse', async () => {
    const { code, stderr } = await groundwork(['sync', '--sauce', 'folder:./docs'], freshEnv());
    assert.equal(code, 2);
    assert.match(stderr, /unknown option '--sauce'/);
  });

  it('exits 2 when a question file cannot be read', async () => {
    const missing = path.join(tempDir(), 'questions.jsonl');
    const { code, stderr } = await groundwork(['eval', '--questions', missing], freshEnv());
    assert.equal(code, 2);
    assert.match(stderr, /questions\.jsonl: cannot be read \(ENOENT\)/);
  });

  it('exits 1 and says why when every source of a sync fails', async () => {
    const gone = path.join(tempDir(), 'gone');
    const { code, stdout } = await groundwork(['sync', '--source', `handbook=folder:${gone}`], freshEnv());
    assert.equal(code, 1);
    assert.match(stdout, /handbook: sync failed, nothing changed: .*gone does not exist/);
  });

  it('exits 1 naming the file when the index cannot be opened', async () => {
    const env = freshEnv();
    fs.writeFileSync(path.join(env.GROUNDWORK_DATA_DIR, 'groundwork.db'), 'this is not a database, only text '.repeat(200));
    const { code, stderr } = await groundwork(['status'], env);
    assert.equal(code, 1);
    assert.match(stderr, /The index file .*groundwork\.db is not a valid SQLite database/);
  });

  describe('serve', () => {
    let slack: FakeSlackApi;
    beforeEach(async () => (slack = await new FakeSlackApi().start()));
    afterEach(() => slack.stop());

    it('exits 2 when Slack refuses the bot token, naming the settings to check', async () => {
      slack.faults.set('auth.test', [{ error: 'invalid_auth' }]);
      const env = freshEnv({
        GROUNDWORK_SOURCES: `handbook=folder:${handbook()}`,
        PORT: '0',
        HOST: '127.0.0.1',
        TEAMS_ENABLED: 'false',
        SLACK_BOT_TOKEN: 'xoxb-revoked',
        SLACK_SIGNING_SECRET: 'signing-secret',
        SLACK_API_URL: slack.url,
      });
      const { code, stderr } = await groundwork(['serve'], env);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /groundwork: Slack refused to connect \(invalid_auth\): check SLACK_BOT_TOKEN, and SLACK_API_URL/);
      assert.equal(slack.callsOf('auth.test').length, 1, 'the refusal came from auth.test');
    });
  });
});
