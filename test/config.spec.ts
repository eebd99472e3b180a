import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, parseSourceSpecs, sampleSources, settingNames } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { repoRoot, tempDir } from './helpers.js';

describe('loadConfig', () => {
  it('with nothing set, serves the bundled samples from ./data on port 3978 with the web chat on', () => {
    const cwd = tempDir();
    const config = loadConfig({}, cwd);
    assert.equal(config.port, 3978);
    assert.equal(config.dataDir, path.join(cwd, 'data'));
    assert.deepEqual(config.sources.map((s) => `${s.name}=${s.kind}`), ['samples=folder', 'wiki=confluence', 'intranet=sharepoint']);
    assert.equal(config.sources, sampleSources);
    assert.equal(config.webchat.enabled, true);
    assert.equal(config.retrieval.topK, 5);
    assert.equal(config.ingest.maxFileBytes, 50 * 1024 * 1024);
  });

  it('names the variable, the expected form and the bad value when a setting is invalid', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty' }, tempDir()),
      (error: unknown) =>
        error instanceof ConfigError && /PORT must be a whole number from 0 to 65535 \(got "eighty"\)/.test(error.message),
    );
    assert.throws(() => loadConfig({ RETRIEVAL_MIN_SCORE: '2' }, tempDir()), /RETRIEVAL_MIN_SCORE must be a number from 0 to 1 \(got "2"\)/);
    assert.throws(() => loadConfig({ RETRIEVAL_MIN_SCORE: '0.3', RETRIEVAL_CLOSEST_SCORE: '0.4' }, tempDir()), /RETRIEVAL_CLOSEST_SCORE must not be above RETRIEVAL_MIN_SCORE \(got 0\.4 and 0\.3\)/);
    assert.throws(() => loadConfig({ WEBCHAT_ENABLED: 'yes' }, tempDir()), /WEBCHAT_ENABLED must be auto, true or false/);
  });

  it('parses named and unnamed sources and rejects unknown kinds', () => {
    const cwd = tempDir();
    const config = loadConfig({ GROUNDWORK_SOURCES: 'wiki=folder:./wiki, folder:/srv/policies' }, cwd);
    assert.deepEqual(config.sources, [
      { name: 'wiki', kind: 'folder', location: path.join(cwd, 'wiki') },
      { name: 'policies', kind: 'folder', location: '/srv/policies' },
    ]);
    assert.throws(() => loadConfig({ GROUNDWORK_SOURCES: 'dropbox:/x' }, cwd), /GROUNDWORK_SOURCES "dropbox:\/x" has unknown kind "dropbox"/);
    assert.throws(() => loadConfig({ GROUNDWORK_SOURCES: 'folder:/a/docs,folder:/b/docs' }, cwd), /two sources are named "docs"/);
  });

  it('refuses a bad source spec with a configuration error, however it was given (the CLI exits 2 on it)', () => {
    for (const spec of ['just-a-folder', 'dropbox:/x', 'folder:/a/docs,folder:/b/docs']) {
      assert.throws(() => parseSourceSpecs(spec, tempDir()), (error: unknown) => error instanceof ConfigError && error.code === 'config_invalid', spec);
    }
    assert.throws(
      () => loadConfig({ GROUNDWORK_SOURCES: 'just-a-folder' }, tempDir()),
      (error: unknown) => error instanceof ConfigError && error.message === 'Invalid configuration:\n  GROUNDWORK_SOURCES "just-a-folder" is not of the form [name=]kind:path, e.g. folder:./docs',
    );
  });

  it('reads a .env file in the working folder, with the environment taking precedence', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, '.env'), 'PORT=4000\nRETRIEVAL_TOP_K=7\n');
    const config = loadConfig({ RETRIEVAL_TOP_K: '3' }, cwd);
    assert.equal(config.port, 4000);
    assert.equal(config.retrieval.topK, 3);
  });

  it('turns the web chat off when a Teams or Slack bot is configured, unless asked for explicitly', () => {
    assert.equal(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing-secret' }, tempDir()).webchat.enabled, false);
    assert.equal(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret' }, tempDir()).webchat.enabled, false);
    assert.equal(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret', WEBCHAT_ENABLED: 'true' }, tempDir()).webchat.enabled, true);
  });

  it('checks the sync schedule and the admin token without echoing the token', () => {
    assert.throws(() => loadConfig({ SYNC_SCHEDULE: 'every night' }, tempDir()), /SYNC_SCHEDULE must be a cron expression such as "0 3 \* \* \*"/);
    assert.equal(loadConfig({ SYNC_SCHEDULE: '0 3 * * *' }, tempDir()).sync.schedule, '0 3 * * *');
    assert.throws(
      () => loadConfig({ ADMIN_API_TOKEN: 'short-secret' }, tempDir()),
      (error: unknown) => /ADMIN_API_TOKEN must be at least 16 characters long/.test(String(error)) && !String(error).includes('short-secret'),
    );
  });

  it('configures the chat model from OpenAI, a compatible server or Azure, naming missing pieces', () => {
    assert.equal(loadConfig({}, tempDir()).chat, null);
    assert.deepEqual(loadConfig({ OPENAI_BASE_URL: 'http://localhost:11434/v1', CHAT_MODEL: 'llama3.1' }, tempDir()).chat, {
      provider: 'openai', apiKey: null, baseUrl: 'http://localhost:11434/v1', model: 'llama3.1', timeoutMs: 30000,
    });
    const azure = loadConfig({ AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt4o', OPENAI_API_KEY: 'sk' }, tempDir()).chat;
    assert.equal(azure?.provider, 'azure');
    assert.throws(() => loadConfig({ AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_API_KEY: 'k' }, tempDir()), /AZURE_OPENAI_ENDPOINT needs AZURE_OPENAI_CHAT_DEPLOYMENT/);
    assert.throws(() => loadConfig({ AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_CHAT_DEPLOYMENT: 'd' }, tempDir()), /AZURE_OPENAI_ENDPOINT needs AZURE_OPENAI_API_KEY/);
    assert.throws(() => loadConfig({ OPENAI_API_KEY: 'sk-secret-value', LLM_TIMEOUT_SECONDS: '0' }, tempDir()), (e: unknown) => /LLM_TIMEOUT_SECONDS/.test(String(e)) && !String(e).includes('sk-secret-value'));
  });

  it('listens on this machine only while Teams runs in local mode, unless HOST says otherwise', () => {
    assert.equal(loadConfig({}, tempDir()).host, '127.0.0.1');
    assert.equal(loadConfig({ HOST: '0.0.0.0' }, tempDir()).host, '0.0.0.0');
    assert.equal(loadConfig({ TEAMS_ENABLED: 'false' }, tempDir()).host, '0.0.0.0');
    assert.equal(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret' }, tempDir()).host, '0.0.0.0');
  });

  it('configures embeddings independently of chat: the chat endpoint, a server of their own, Azure, or none', () => {
    assert.equal(loadConfig({}, tempDir()).embedding, null);
    const withChat = loadConfig({ OPENAI_API_KEY: 'sk' }, tempDir());
    assert.deepEqual(withChat.embedding, {
      provider: 'openai', apiKey: 'sk', baseUrl: null, model: 'text-embedding-3-small', dimensions: null, batchInputs: 256, batchTokens: 280000, concurrency: 4,
    });
    assert.deepEqual(withChat.retrieval, { topK: 5 });
    assert.deepEqual(withChat.evidence, { answerScore: 0.62, closestScore: 0.25, answerSimilarity: 0.4, closestSimilarity: 0.3 });
    assert.equal(loadConfig({ OPENAI_API_KEY: 'sk', EMBEDDING_MODEL: 'none' }, tempDir()).embedding, null);

    // Azure chat with a local embedding server.
    const mixed = loadConfig(
      {
        AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt4o',
        EMBEDDING_BASE_URL: 'http://localhost:11434/v1', EMBEDDING_MODEL: 'nomic-embed-text', EMBEDDING_DIMENSIONS: '768',
      },
      tempDir(),
    );
    assert.equal(mixed.chat?.provider, 'azure');
    assert.deepEqual(mixed.embedding && { ...mixed.embedding }, {
      provider: 'openai', apiKey: null, baseUrl: 'http://localhost:11434/v1', model: 'nomic-embed-text', dimensions: 768, batchInputs: 256, batchTokens: 280000, concurrency: 4,
    });
    // Azure embeddings with a local chat server.
    const azure = loadConfig({ AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'emb', OPENAI_BASE_URL: 'http://localhost:8000/v1' }, tempDir());
    assert.equal(azure.chat?.provider, 'openai');
    assert.equal(azure.embedding?.provider, 'azure');
    assert.equal(azure.embedding?.provider === 'azure' && azure.embedding.deployment, 'emb');

    assert.throws(() => loadConfig({ AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'emb' }, tempDir()), /AZURE_OPENAI_EMBEDDING_DEPLOYMENT needs AZURE_OPENAI_ENDPOINT/);
    // Entra ID: a managed identity instead of a key, for chat and embeddings alike.
    const entra = loadConfig(
      { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_AUTH: 'managed-identity', AZURE_OPENAI_MANAGED_IDENTITY_CLIENT_ID: 'abc', AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt4o', AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'emb' },
      tempDir(),
    );
    assert.deepEqual(entra.chat?.provider === 'azure' && entra.chat.credential, { managedIdentityClientId: 'abc' });
    assert.deepEqual(entra.embedding?.provider === 'azure' && entra.embedding.credential, { managedIdentityClientId: 'abc' });
    assert.throws(() => loadConfig({ AZURE_OPENAI_AUTH: 'entra' }, tempDir()), /AZURE_OPENAI_AUTH must be api-key or managed-identity/);
    assert.throws(() => loadConfig({ EMBEDDING_BASE_URL: 'http://localhost:1/v1', AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'emb' }, tempDir()), /both set/);
    assert.throws(() => loadConfig({ EMBEDDING_BATCH_INPUTS: '4096' }, tempDir()), /EMBEDDING_BATCH_INPUTS must be a whole number from 1 to 2048/);
    assert.throws(() => loadConfig({ RETRIEVAL_MIN_SIMILARITY: '1.5' }, tempDir()), /RETRIEVAL_MIN_SIMILARITY must be a number from 0 to 1/);
  });

  it('configures Teams: local mode without credentials, refused in production unless turned off', () => {
    const local = loadConfig({}, tempDir()).teams;
    assert.deepEqual(local, { enabled: true, appId: null, credentials: null, allowedTenants: [], adminIds: [] });
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }, tempDir()), /MicrosoftAppId \(with MicrosoftAppPassword\) is required in production.*TEAMS_ENABLED=false/);
    assert.equal(loadConfig({ NODE_ENV: 'production', TEAMS_ENABLED: 'false' }, tempDir()).teams.enabled, false);
    const bot = loadConfig(
      { MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant', TEAMS_ALLOWED_TENANTS: 't1, t2', TEAMS_ADMIN_IDS: 'a1' },
      tempDir(),
    ).teams;
    assert.deepEqual(bot, { enabled: true, appId: null, credentials: { appId: 'app', appPassword: 'secret', tenantId: 'tenant', appType: 'SingleTenant' }, allowedTenants: ['t1', 't2'], adminIds: ['a1'] });
    assert.throws(() => loadConfig({ MicrosoftAppId: 'app' }, tempDir()), /MicrosoftAppId needs MicrosoftAppPassword/);
    assert.throws(() => loadConfig({ MicrosoftAppId: 'app', MicrosoftAppType: 'UserAssignedMSI' }, tempDir()), /MicrosoftAppType=UserAssignedMSI needs MicrosoftAppTenantId/);
    assert.throws(() => loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'verysecretvalue', MicrosoftAppType: 'Other' }, tempDir()), (e: unknown) => /MicrosoftAppType must be MultiTenant/.test(String(e)));
  });

  it('configures Slack over HTTP or Socket Mode, naming what is missing', () => {
    assert.equal(loadConfig({}, tempDir()).slack, null);
    assert.deepEqual(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', SLACK_ADMIN_IDS: 'U1, U2', SLACK_API_URL: 'http://127.0.0.1:9/api' }, tempDir()).slack, {
      botToken: 'xoxb-1', signingSecret: 'secret', appToken: null, apiUrl: 'http://127.0.0.1:9/api/', adminIds: ['U1', 'U2'], threadFollowUps: true,
    });
    assert.equal(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, tempDir()).slack?.appToken, 'xapp-1');
    assert.throws(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }, tempDir()), /SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET .* or SLACK_APP_TOKEN/);
    assert.throws(() => loadConfig({ SLACK_SIGNING_SECRET: 'secret' }, tempDir()), /need SLACK_BOT_TOKEN/);
    assert.throws(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 's' }, tempDir()), (e: unknown) => /SLACK_BOT_TOKEN must be a bot token/.test(String(e)) && !String(e).includes('xoxp-user-token'));
  });

  it('reads the symbolic-link policy and the parsers\' time and memory budgets, naming a bad value', () => {
    const defaults = loadConfig({}, tempDir()).ingest;
    assert.deepEqual([defaults.followSymlinks, defaults.parse], ['never', { timeoutMs: 60_000, maxMemoryMb: 512 }]);
    const set = loadConfig({ FOLLOW_SYMLINKS: 'inside', PARSE_TIMEOUT_SECONDS: '5', PARSE_MAX_MEMORY_MB: '128' }, tempDir()).ingest;
    assert.deepEqual([set.followSymlinks, set.parse], ['inside', { timeoutMs: 5000, maxMemoryMb: 128 }]);
    assert.throws(() => loadConfig({ FOLLOW_SYMLINKS: 'always' }, tempDir()), /FOLLOW_SYMLINKS must be never or inside \(got "always"\)/);
    assert.throws(() => loadConfig({ PARSE_MAX_MEMORY_MB: '16' }, tempDir()), /PARSE_MAX_MEMORY_MB must be a whole number from 64 to 16384 \(got "16"\)/);
    assert.throws(() => loadConfig({ PARSE_TIMEOUT_SECONDS: '0' }, tempDir()), /PARSE_TIMEOUT_SECONDS must be a whole number from 1 to 3600/);
  });

  it('uses the embedded index unless QDRANT_URL is set, then Qdrant with its key, collection prefix, timeout and collection layout', () => {
    assert.equal(loadConfig({}, tempDir()).qdrant, null);
    assert.deepEqual(loadConfig({ QDRANT_URL: 'http://localhost:6333/' }, tempDir()).qdrant, {
      url: 'http://localhost:6333', apiKey: null, collectionPrefix: 'groundwork', timeoutMs: 10_000, layout: { shardNumber: 1, replicationFactor: 1 },
    });
    assert.deepEqual(
      loadConfig(
        { QDRANT_URL: 'https://qdrant.example.com:6333', QDRANT_API_KEY: 'qdrant-secret', QDRANT_COLLECTION: 'hr_docs', QDRANT_TIMEOUT_SECONDS: '3', QDRANT_SHARD_NUMBER: '6', QDRANT_REPLICATION_FACTOR: '2' },
        tempDir(),
      ).qdrant,
      { url: 'https://qdrant.example.com:6333', apiKey: 'qdrant-secret', collectionPrefix: 'hr_docs', timeoutMs: 3000, layout: { shardNumber: 6, replicationFactor: 2 } },
    );
    assert.throws(() => loadConfig({ QDRANT_URL: 'http://localhost:6333', QDRANT_REPLICATION_FACTOR: '0' }, tempDir()), /QDRANT_REPLICATION_FACTOR must be a whole number from 1 to 100/);
  });

  it('names a bad Qdrant setting without echoing the API key', () => {
    assert.throws(() => loadConfig({ QDRANT_URL: 'qdrant:6333' }, tempDir()), /QDRANT_URL must be an http\(s\) URL such as http:\/\/localhost:6333/);
    assert.throws(() => loadConfig({ QDRANT_URL: 'ftp://qdrant' }, tempDir()), /QDRANT_URL must be an http\(s\) URL/);
    assert.throws(() => loadConfig({ QDRANT_URL: 'http://localhost:6333', QDRANT_COLLECTION: 'my docs' }, tempDir()), /QDRANT_COLLECTION must be 1 to 100 letters, digits/);
    assert.throws(() => loadConfig({ QDRANT_URL: 'http://localhost:6333', QDRANT_TIMEOUT_SECONDS: '0' }, tempDir()), /QDRANT_TIMEOUT_SECONDS must be a whole number from 1 to 600/);
    assert.throws(
      () => loadConfig({ QDRANT_API_KEY: 'qdrant-secret' }, tempDir()),
      (error: unknown) => error instanceof ConfigError && /QDRANT_API_KEY needs QDRANT_URL/.test(error.message) && !error.message.includes('qdrant-secret'),
    );
    assert.throws(
      () => loadConfig({ QDRANT_URL: 'http://qdrant.internal:6333', QDRANT_API_KEY: 'qdrant-secret' }, tempDir()),
      (error: unknown) => error instanceof ConfigError && /QDRANT_API_KEY would be sent in clear text over http/.test(error.message) && !error.message.includes('qdrant-secret'),
    );
    assert.equal(loadConfig({ QDRANT_URL: 'http://127.0.0.1:6333', QDRANT_API_KEY: 'qdrant-secret' }, tempDir()).qdrant?.apiKey, 'qdrant-secret');
    assert.throws(
      () => loadConfig({ QDRANT_URL: 'http://localhost:6333', QDRANT_API_KEY: '', QDRANT_TIMEOUT_SECONDS: 'x' }, tempDir()),
      (error: unknown) => error instanceof ConfigError && !/QDRANT_API_KEY/.test(error.message),
    );
  });

  it('refuses an overlap that is not clearly smaller than the chunk', () => {
    assert.throws(() => loadConfig({ CHUNK_MAX_TOKENS: '100', CHUNK_OVERLAP_TOKENS: '60' }, tempDir()), /CHUNK_OVERLAP_TOKENS must be less than half/);
  });

  it('documents every setting in .env.example with a comment', () => {
    const lines = fs.readFileSync(path.join(repoRoot, '.env.example'), 'utf8').split('\n');
    for (const name of settingNames) {
      const at = lines.findIndex((line) => new RegExp(`^#? ?${name}=`).test(line));
      assert.ok(at > 0, `${name} is missing from .env.example`);
      assert.match(lines[at - 1]!, /^# \S/, `${name} has no comment above it`);
    }
  });
  describe('several replicas', () => {
    it('shares state in PostgreSQL when DATABASE_URL is set, with a pool of DATABASE_POOL_MAX connections (10 by default)', () => {
      const url = 'postgres://groundwork:pw@db.example.com:5432/groundwork';
      assert.deepEqual(loadConfig({ DATABASE_URL: url, QDRANT_URL: 'http://qdrant:6333' }, tempDir()).database, { url, poolMax: 10 });
      assert.equal(loadConfig({ DATABASE_URL: url, DATABASE_POOL_MAX: '25', QDRANT_URL: 'http://qdrant:6333' }, tempDir()).database?.poolMax, 25);
      assert.equal(loadConfig({}, tempDir()).database, null);
      assert.equal(loadConfig({ DATABASE_URL: '' }, tempDir()).database, null);
    });

    it('refuses DATABASE_URL without QDRANT_URL, saying why', () => {
      assert.throws(
        () => loadConfig({ DATABASE_URL: 'postgres://db.example.com/groundwork' }, tempDir()),
        (error: unknown) => error instanceof ConfigError && /DATABASE_URL needs QDRANT_URL: replicas sharing a catalogue in PostgreSQL must share the passages too/.test(error.message),
      );
    });

    it('refuses a DATABASE_URL that is not a PostgreSQL URL without echoing it (it may hold the password)', () => {
      assert.throws(
        () => loadConfig({ DATABASE_URL: 'mysql://root:s3cret@db/groundwork', QDRANT_URL: 'http://qdrant:6333' }, tempDir()),
        (error: unknown) => error instanceof ConfigError && /DATABASE_URL must be a PostgreSQL URL/.test(error.message) && !error.message.includes('s3cret'),
      );
      assert.throws(() => loadConfig({ DATABASE_POOL_MAX: '0' }, tempDir()), /DATABASE_POOL_MAX must be a whole number from 1 to 1000 \(got "0"\)/);
    });
  });
});
