import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';

const manifest = parse(fs.readFileSync(path.join(repoRoot, 'manifest/slack-app.yaml'), 'utf8'));
const code = fs
  .readdirSync(path.join(repoRoot, 'src/channels/slack'))
  .map((file) => fs.readFileSync(path.join(repoRoot, 'src/channels/slack', file), 'utf8'))
  .join('\n');

// The bot scope each Web API method the code calls needs (auth.test needs none).
const scopeOf: Record<string, string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.startStream': ['chat:write'],
  'chat.appendStream': ['chat:write'],
  'chat.stopStream': ['chat:write'],
  'reactions.add': ['reactions:write'],
  'reactions.remove': ['reactions:write'],
  'assistant.threads.setStatus': ['assistant:write'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
};

describe('Slack app manifest', () => {
  it('asks for exactly the scopes the code needs', () => {
    const called = [...new Set([...code.matchAll(/client\.((?:chat|reactions|assistant\.threads|conversations)\.\w+)\(/g)].map((m) => m[1]!))];
    for (const method of called) assert.ok(scopeOf[method], `no scope known for ${method}: add it to this test and the manifest`);
    const needed = new Set([...called.flatMap((method) => scopeOf[method]!), 'app_mentions:read', 'commands']);
    assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), [...needed].sort());
  });

  it('subscribes to the events the code listens for, with the slash command and interactivity at /slack/events', () => {
    assert.match(code, /app\.event\('app_mention'/);
    assert.match(code, /app\.message\(/);
    assert.deepEqual(manifest.settings.event_subscriptions.bot_events, ['app_mention', 'message.channels', 'message.groups', 'message.im', 'message.mpim']);
    assert.match(code, /app\.command\('\/groundwork'/);
    assert.equal(manifest.features.slash_commands[0].command, '/groundwork');
    for (const url of [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, manifest.features.slash_commands[0].url]) {
      assert.match(url, /^https:\/\/groundwork\.example\.com\/slack\/events$/);
    }
    assert.equal(manifest.settings.interactivity.is_enabled, true);
    assert.equal(manifest.features.app_home.messages_tab_enabled, true, 'people can DM the bot');
  });
});
