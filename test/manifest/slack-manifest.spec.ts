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
  'assistant.threads.setSuggestedPrompts': ['assistant:write'],
  'assistant.threads.setTitle': ['assistant:write'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
};

describe('Slack app manifest', () => {
  it('asks for exactly the scopes the code needs', () => {
    const called = [...new Set([...code.matchAll(/client\.((?:chat|reactions|assistant\.threads|conversations)\.\w+)\(/g)].map((m) => m[1]!))];
    for (const method of called) assert.ok(scopeOf[method], `no scope known for ${method}: add it to this test and the manifest`);
    const needed = new Set([...called.flatMap((method) => scopeOf[method]!), 'app_mentions:read', 'commands']);
    assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), [...needed].sort());
  });

  it('subscribes to exactly the events the code listens for, with the slash command and interactivity at /slack/events', () => {
    // app.message() takes messages wherever the bot is: channels, private channels, DMs and group DMs.
    const listened = [...code.matchAll(/app\.event\('(\w+)'/g)].map((m) => m[1]!);
    const messageEvents = /app\.message\(/.test(code) ? ['message.channels', 'message.groups', 'message.im', 'message.mpim'] : [];
    assert.deepEqual([...manifest.settings.event_subscriptions.bot_events].sort(), [...new Set([...listened, ...messageEvents])].sort());
    assert.ok(listened.includes('app_mention'));
    assert.match(code, /app\.command\('\/groundwork'/);
    assert.equal(manifest.features.slash_commands[0].command, '/groundwork');
    for (const url of [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, manifest.features.slash_commands[0].url]) {
      assert.match(url, /^https:\/\/groundwork\.example\.com\/slack\/events$/);
    }
    assert.equal(manifest.settings.interactivity.is_enabled, true);
    assert.equal(manifest.features.app_home.messages_tab_enabled, true, 'people can DM the bot');
  });

  it('enables the assistant view exactly when the code answers assistant threads', () => {
    const usesAssistant = /app\.event\('assistant_thread_started'/.test(code) || /client\.assistant\.threads\./.test(code);
    assert.equal(Boolean(manifest.features.assistant_view), usesAssistant);
    if (!usesAssistant) return;
    const view = manifest.features.assistant_view;
    assert.ok(typeof view.assistant_description === 'string' && view.assistant_description.length > 0, 'Slack requires a description');
    assert.ok(Array.isArray(view.suggested_prompts) && view.suggested_prompts.length <= 4);
    for (const prompt of view.suggested_prompts) assert.deepEqual(Object.keys(prompt).sort(), ['message', 'title']);
    assert.ok(manifest.oauth_config.scopes.bot.includes('assistant:write'));
    assert.ok(manifest.settings.event_subscriptions.bot_events.includes('message.im'), 'questions in assistant threads arrive as DMs');
  });
});
