// The only reader of the environment: parses it once into a typed Config and fails with a
// message that names the variable and the expected form.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { Cron } from 'croner';
import { z } from 'zod';
import type { EvidenceFloors } from './answer/judge-evidence.js';
import { loadAccessFile } from './access/access-file.js';
import { AccessPolicy } from './access/access-policy.js';
import { ConfigError } from './errors.js';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const samplesDir = path.join(packageRoot, 'samples');

export const sourceKinds = ['folder', 'confluence', 'sharepoint'] as const;
export type SourceKind = (typeof sourceKinds)[number];

export interface SourceSpec {
  name: string;
  kind: SourceKind;
  location: string;
}

/** The bundled documents of a fictional company, in the formats of each kind of source. */
export const sampleSources: SourceSpec[] = [
  { name: 'samples', kind: 'folder', location: path.join(samplesDir, 'handbook') },
  { name: 'wiki', kind: 'confluence', location: path.join(samplesDir, 'confluence/Confluence-space-export-ENG.html.zip') },
  { name: 'intranet', kind: 'sharepoint', location: path.join(samplesDir, 'sharepoint') },
];

/** How Groundwork signs in to Azure OpenAI: an API key, or a managed identity (Entra ID; null client id: the system-assigned one). */
export type AzureCredential = { apiKey: string } | { managedIdentityClientId: string | null };

/** Where chat completions come from: OpenAI or an OpenAI-compatible server, or Azure OpenAI. */
export type ChatEndpoint =
  | { provider: 'openai'; apiKey: string | null; baseUrl: string | null; model: string }
  | { provider: 'azure'; endpoint: string; credential: AzureCredential; apiVersion: string; deployment: string };

/** Where embeddings come from; configured independently of the chat model. */
export type EmbeddingEndpoint =
  | { provider: 'openai'; apiKey: string | null; baseUrl: string | null; model: string; dimensions: number | null }
  | { provider: 'azure'; endpoint: string; credential: AzureCredential; apiVersion: string; deployment: string; dimensions: number | null };

export interface EmbeddingLimits {
  /** Inputs and tokens per embedding request, and requests in flight at once. */
  batchInputs: number;
  batchTokens: number;
  concurrency: number;
}

/** How a new Qdrant collection is spread over a cluster: shards, and the nodes each is kept on. */
export interface CollectionLayout {
  shardNumber: number;
  replicationFactor: number;
}

export interface Config {
  environment: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  databasePath: string;
  sources: SourceSpec[];
  /** Who may read which document, and which sources each channel answers from (ACCESS_FILE); everyone reads everything without it. */
  access: AccessPolicy;
  ingest: {
    maxFileBytes: number;
    chunkMaxTokens: number;
    chunkOverlapTokens: number;
    zip: { maxEntries: number; maxTotalBytes: number; maxRatio: number };
    /** Symbolic links in folder exports: never followed, or followed when they resolve inside the export. */
    followSymlinks: 'never' | 'inside';
    /** Parsers run in child processes, each file within a time and memory budget. */
    parse: { timeoutMs: number; maxMemoryMb: number };
  };
  confluence: { baseUrl: string | null };
  sharepoint: { baseUrl: string | null };
  sync: { maxDeleteShare: number; schedule: string | null };
  admin: { apiToken: string | null };
  /** Generated answers when a chat model is configured; extractive answers otherwise. */
  chat: (ChatEndpoint & { timeoutMs: number }) | null;
  /** Semantic (hybrid) retrieval when an embedding model is configured; keyword retrieval otherwise. */
  embedding: (EmbeddingEndpoint & EmbeddingLimits) | null;
  retrieval: { topK: number };
  /** The passage index on Qdrant when QDRANT_URL is set; the embedded SQLite index otherwise. */
  qdrant: { url: string; apiKey: string | null; collectionPrefix: string; timeoutMs: number; layout: CollectionLayout } | null;
  /** What the retrieved passages must show before the bot answers, or offers them as the closest it found. */
  evidence: EvidenceFloors;
  maxQuestionChars: number;
  /** A cited document last updated longer ago than this is shown as possibly out of date. */
  staleAfterDays: number;
  /** Questions offered on an empty conversation (at most 4); none: drawn from the documents. */
  suggestedPrompts: string[];
  webchat: { enabled: boolean };
  /** Where Teams and Slack reach this server, e.g. https://groundwork.example.com (for the app manifests). */
  publicBaseUrl: string | null;
  /** The Teams endpoint (POST /api/messages); credentials null in local mode (no token validation). */
  teams: {
    enabled: boolean;
    /** The Teams app's id in its manifest (not the bot's). */
    appId: string | null;
    credentials: { appId: string; appPassword: string | null; tenantId: string | null; appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI' } | null;
    allowedTenants: string[];
    /** Microsoft Entra object ids of the people who may run `sync` from chat. */
    adminIds: string[];
  };
  /** Slack, when a bot token is set: over HTTP (signing secret) or Socket Mode (app token). */
  /** PostgreSQL shared by replicas (catalogue, sync lock, de-duplication, memory); null: all in this process and groundwork.db. */
  database: { url: string; poolMax: number } | null;
  slack: {
    botToken: string;
    signingSecret: string | null;
    appToken: string | null;
    apiUrl: string;
    adminIds: string[];
    /** Replies in a thread the bot answered count as questions without a new mention. */
    threadFollowUps: boolean;
  } | null;
}

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });

const share = z.coerce
  .number({ error: 'must be a number from 0 to 1' })
  .min(0, { error: 'must be a number from 0 to 1' })
  .max(1, { error: 'must be a number from 0 to 1' });

function cronIsValid(expression: string): boolean {
  try {
    new Cron(expression, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

const baseUrl = (example: string) =>
  z
    .url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${example}` })
    .optional()
    .transform((value) => value ?? null);

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : null));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
  PORT: integer(0, 65535).default(3978),
  HOST: optionalText,
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  GROUNDWORK_DATA_DIR: z.string().min(1).default('./data'),
  GROUNDWORK_SOURCES: z.string().optional(),
  ACCESS_FILE: optionalText,
  MAX_FILE_MB: integer(1, 2048).default(50),
  ZIP_MAX_ENTRIES: integer(1, 10_000_000).default(100_000),
  ZIP_MAX_TOTAL_MB: integer(1, 1_000_000).default(10_240),
  ZIP_MAX_RATIO: integer(2, 100_000).default(200),
  FOLLOW_SYMLINKS: z.enum(['never', 'inside'], { error: 'must be never or inside' }).default('never'),
  PARSE_TIMEOUT_SECONDS: integer(1, 3600).default(60),
  PARSE_MAX_MEMORY_MB: integer(64, 16_384).default(512),
  CONFLUENCE_BASE_URL: baseUrl('https://wiki.example.com'),
  SHAREPOINT_BASE_URL: baseUrl('https://contoso.sharepoint.com/sites/hr'),
  CHUNK_MAX_TOKENS: integer(64, 4000).default(350),
  CHUNK_OVERLAP_TOKENS: integer(0, 1000).default(60),
  SYNC_MAX_DELETE_SHARE: share.default(0.5),
  SYNC_SCHEDULE: optionalText.refine((value) => value === null || cronIsValid(value), {
    error: 'must be a cron expression such as "0 3 * * *" (03:00 every night)',
  }),
  ADMIN_API_TOKEN: optionalText.refine((value) => value === null || value.length >= 16, {
    error: 'must be at least 16 characters long',
  }),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: baseUrl('http://localhost:11434/v1'),
  CHAT_MODEL: z.string().min(1).default('gpt-4o-mini'),
  AZURE_OPENAI_ENDPOINT: baseUrl('https://my-resource.openai.azure.com'),
  AZURE_OPENAI_API_KEY: optionalText,
  AZURE_OPENAI_AUTH: z.enum(['api-key', 'managed-identity'], { error: 'must be api-key or managed-identity' }).default('api-key'),
  AZURE_OPENAI_MANAGED_IDENTITY_CLIENT_ID: optionalText,
  AZURE_OPENAI_API_VERSION: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, { error: 'must be an API version such as 2024-10-21' }).default('2024-10-21'),
  AZURE_OPENAI_CHAT_DEPLOYMENT: optionalText,
  LLM_TIMEOUT_SECONDS: integer(1, 600).default(30),
  EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  EMBEDDING_DIMENSIONS: integer(1, 8192).optional(),
  EMBEDDING_BASE_URL: baseUrl('http://localhost:11434/v1'),
  EMBEDDING_API_KEY: optionalText,
  AZURE_OPENAI_EMBEDDING_DEPLOYMENT: optionalText,
  EMBEDDING_BATCH_INPUTS: integer(1, 2048).default(256),
  EMBEDDING_BATCH_TOKENS: integer(8191, 300_000).default(280_000),
  EMBEDDING_CONCURRENCY: integer(1, 32).default(4),
  RETRIEVAL_TOP_K: integer(1, 50).default(5),
  RETRIEVAL_MIN_SCORE: share.default(0.62),
  RETRIEVAL_CLOSEST_SCORE: share.default(0.25),
  RETRIEVAL_MIN_SIMILARITY: share.default(0.4),
  RETRIEVAL_CLOSEST_SIMILARITY: share.default(0.3),
  MAX_QUESTION_CHARS: integer(10, 100000).default(4000),
  STALE_AFTER_DAYS: integer(1, 36500).default(365),
  SUGGESTED_PROMPTS: optionalText,
  QDRANT_URL: baseUrl('http://localhost:6333'),
  QDRANT_API_KEY: optionalText,
  QDRANT_COLLECTION: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'must be 1 to 100 letters, digits, "-" or "_", such as groundwork' })
    .default('groundwork'),
  QDRANT_TIMEOUT_SECONDS: integer(1, 600).default(10),
  QDRANT_SHARD_NUMBER: integer(1, 1000).default(1),
  QDRANT_REPLICATION_FACTOR: integer(1, 100).default(1),
  WEBCHAT_ENABLED: z.enum(['auto', 'true', 'false'], { error: 'must be auto, true or false' }).default('auto'),
  PUBLIC_BASE_URL: baseUrl('https://groundwork.example.com'),
  TEAMS_APP_ID: optionalText.refine((value) => value === null || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value), {
    error: 'must be a GUID such as 2f3a1c9e-8d4b-4e6f-9a7c-1b2d3e4f5a6b (any new one; it identifies the Teams app)',
  }),
  TEAMS_ENABLED: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppTenantId: optionalText,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { error: 'must be MultiTenant, SingleTenant or UserAssignedMSI' }).default('MultiTenant'),
  TEAMS_ALLOWED_TENANTS: optionalText,
  TEAMS_ADMIN_IDS: optionalText,
  SLACK_BOT_TOKEN: optionalText.refine((value) => value === null || value.startsWith('xoxb-'), { error: 'must be a bot token (xoxb-…)' }),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine((value) => value === null || value.startsWith('xapp-'), { error: 'must be an app-level token (xapp-…) with connections:write' }),
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://slack.com/api/' }).default('https://slack.com/api/'),
  SLACK_ADMIN_IDS: optionalText,
  SLACK_THREAD_FOLLOW_UPS: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
  // Where replicas share their state: the catalogue, the sync lock, de-duplication and memory.
  DATABASE_URL: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a PostgreSQL URL such as postgres://groundwork:PASSWORD@db.example.com:5432/groundwork' })
      .optional()
      .transform((value) => value ?? null),
  ),
  DATABASE_POOL_MAX: integer(1, 1000).default(10),
});

/** Every setting Groundwork reads; `.env.example` documents each one. */
export const settingNames = Object.keys(envSchema.shape);

/** Parses `[name=]kind:path` items separated by commas. */
export function parseSourceSpecs(value: string, baseDir: string): SourceSpec[] {
  const specs = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const match = /^(?:([\w.-]+)=)?([a-z]+):(.+)$/.exec(item);
      if (!match) throw new ConfigError(`"${item}" is not of the form [name=]kind:path, e.g. folder:./docs`);
      const [, name, kind, location] = match as unknown as [string, string | undefined, string, string];
      if (!(sourceKinds as readonly string[]).includes(kind)) {
        throw new ConfigError(`"${item}" has unknown kind "${kind}" (expected one of: ${sourceKinds.join(', ')})`);
      }
      const resolved = path.resolve(baseDir, location);
      return { name: name ?? path.basename(resolved), kind: kind as SourceKind, location: resolved };
    });
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw new ConfigError(`two sources are named "${spec.name}"; give one a name with name=kind:path`);
    names.add(spec.name);
  }
  return specs;
}

function azureCredential(e: z.infer<typeof envSchema>): AzureCredential {
  if (e.AZURE_OPENAI_AUTH === 'managed-identity') return { managedIdentityClientId: e.AZURE_OPENAI_MANAGED_IDENTITY_CLIENT_ID };
  if (!e.AZURE_OPENAI_API_KEY) {
    throw new ConfigError('Invalid configuration:\n  AZURE_OPENAI_ENDPOINT needs AZURE_OPENAI_API_KEY, or AZURE_OPENAI_AUTH=managed-identity to sign in with the managed identity');
  }
  return { apiKey: e.AZURE_OPENAI_API_KEY };
}

/** Azure when a chat deployment is set; OpenAI (or a compatible server) when a key or base URL is. */
function chatEndpoint(e: z.infer<typeof envSchema>): ChatEndpoint | null {
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid configuration:\n  ${message}`);
  };
  if (e.AZURE_OPENAI_CHAT_DEPLOYMENT) {
    if (!e.AZURE_OPENAI_ENDPOINT) fail('AZURE_OPENAI_CHAT_DEPLOYMENT needs AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com)');
    return { provider: 'azure', endpoint: e.AZURE_OPENAI_ENDPOINT!, credential: azureCredential(e), apiVersion: e.AZURE_OPENAI_API_VERSION, deployment: e.AZURE_OPENAI_CHAT_DEPLOYMENT };
  }
  if (e.AZURE_OPENAI_ENDPOINT && !e.AZURE_OPENAI_EMBEDDING_DEPLOYMENT) {
    fail('AZURE_OPENAI_ENDPOINT needs AZURE_OPENAI_CHAT_DEPLOYMENT (the name of the chat model deployment) or AZURE_OPENAI_EMBEDDING_DEPLOYMENT');
  }
  if (e.OPENAI_API_KEY || e.OPENAI_BASE_URL) {
    return { provider: 'openai', apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.CHAT_MODEL };
  }
  return null;
}

/**
 * A compatible server of its own (EMBEDDING_BASE_URL), an Azure deployment, OpenAI with a key of its
 * own, or else the OpenAI endpoint the chat model uses. EMBEDDING_MODEL=none turns embeddings off.
 */
function embeddingEndpoint(e: z.infer<typeof envSchema>): EmbeddingEndpoint | null {
  if (e.EMBEDDING_MODEL === 'none') return null;
  const dimensions = e.EMBEDDING_DIMENSIONS ?? null;
  if (e.EMBEDDING_BASE_URL && e.AZURE_OPENAI_EMBEDDING_DEPLOYMENT) {
    throw new ConfigError('Invalid configuration:\n  EMBEDDING_BASE_URL and AZURE_OPENAI_EMBEDDING_DEPLOYMENT are both set; set the one that serves embeddings');
  }
  if (e.EMBEDDING_BASE_URL) return { provider: 'openai', apiKey: e.EMBEDDING_API_KEY, baseUrl: e.EMBEDDING_BASE_URL, model: e.EMBEDDING_MODEL, dimensions };
  if (e.AZURE_OPENAI_EMBEDDING_DEPLOYMENT) {
    if (!e.AZURE_OPENAI_ENDPOINT) throw new ConfigError('Invalid configuration:\n  AZURE_OPENAI_EMBEDDING_DEPLOYMENT needs AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com)');
    return { provider: 'azure', endpoint: e.AZURE_OPENAI_ENDPOINT, credential: azureCredential(e), apiVersion: e.AZURE_OPENAI_API_VERSION, deployment: e.AZURE_OPENAI_EMBEDDING_DEPLOYMENT, dimensions };
  }
  if (e.EMBEDDING_API_KEY) return { provider: 'openai', apiKey: e.EMBEDDING_API_KEY, baseUrl: null, model: e.EMBEDDING_MODEL, dimensions };
  if (e.OPENAI_API_KEY || e.OPENAI_BASE_URL) return { provider: 'openai', apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.EMBEDDING_MODEL, dimensions };
  return null;
}

const list = (value: string | null) => (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');

function qdrantConfig(e: z.infer<typeof envSchema>): Config['qdrant'] {
  if (!e.QDRANT_URL) {
    if (e.QDRANT_API_KEY) throw new ConfigError('Invalid configuration:\n  QDRANT_API_KEY needs QDRANT_URL (the Qdrant server, e.g. https://qdrant.example.com:6333)');
    return null;
  }
  const { protocol, hostname } = new URL(e.QDRANT_URL);
  if (e.QDRANT_API_KEY && protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname)) {
    throw new ConfigError('Invalid configuration:\n  QDRANT_API_KEY would be sent in clear text over http: use an https QDRANT_URL (http is accepted on this machine only)');
  }
  return {
    url: e.QDRANT_URL.replace(/\/+$/, ''),
    apiKey: e.QDRANT_API_KEY,
    collectionPrefix: e.QDRANT_COLLECTION,
    timeoutMs: e.QDRANT_TIMEOUT_SECONDS * 1000,
    layout: { shardNumber: e.QDRANT_SHARD_NUMBER, replicationFactor: e.QDRANT_REPLICATION_FACTOR },
  };
}

function teamsConfig(e: z.infer<typeof envSchema>): Config['teams'] {
  const enabled = e.TEAMS_ENABLED === 'true';
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid configuration:\n  ${message}`);
  };
  let credentials: Config['teams']['credentials'] = null;
  if (e.MicrosoftAppId) {
    if (e.MicrosoftAppType !== 'UserAssignedMSI' && !e.MicrosoftAppPassword) fail(`MicrosoftAppId needs MicrosoftAppPassword (the bot's client secret) with MicrosoftAppType=${e.MicrosoftAppType}`);
    if (e.MicrosoftAppType !== 'MultiTenant' && !e.MicrosoftAppTenantId) fail(`MicrosoftAppType=${e.MicrosoftAppType} needs MicrosoftAppTenantId`);
    credentials = { appId: e.MicrosoftAppId, appPassword: e.MicrosoftAppPassword, tenantId: e.MicrosoftAppTenantId, appType: e.MicrosoftAppType };
  } else if (enabled && e.NODE_ENV === 'production') {
    fail('MicrosoftAppId (with MicrosoftAppPassword) is required in production: without it anyone could post to /api/messages. Set TEAMS_ENABLED=false to run without Teams');
  }
  return { enabled, appId: e.TEAMS_APP_ID, credentials, allowedTenants: list(e.TEAMS_ALLOWED_TENANTS), adminIds: list(e.TEAMS_ADMIN_IDS) };
}

function slackConfig(e: z.infer<typeof envSchema>): Config['slack'] {
  if (!e.SLACK_BOT_TOKEN) {
    if (e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN) throw new ConfigError('Invalid configuration:\n  SLACK_SIGNING_SECRET and SLACK_APP_TOKEN need SLACK_BOT_TOKEN (xoxb-…)');
    return null;
  }
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    throw new ConfigError(
      'Invalid configuration:\n  SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET (events over HTTP at /slack/events, signatures verified) or SLACK_APP_TOKEN (Socket Mode)',
    );
  }
  return {
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    appToken: e.SLACK_APP_TOKEN,
    apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
    adminIds: list(e.SLACK_ADMIN_IDS),
    threadFollowUps: e.SLACK_THREAD_FOLLOW_UPS === 'true',
  };
}

/** Reads `.env` from `cwd` when present; variables already set in `env` win. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const envFile = path.join(cwd, '.env');
  const fromFile = fs.existsSync(envFile) ? dotenv.parse(fs.readFileSync(envFile)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile, ...env };
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const got = /TOKEN|SECRET|PASSWORD|KEY|DATABASE_URL/.test(name) ? undefined : merged[name];
      return `${name} ${issue.message}${got === undefined ? '' : ` (got "${got}")`}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  let sources: SourceSpec[];
  try {
    sources = e.GROUNDWORK_SOURCES ? parseSourceSpecs(e.GROUNDWORK_SOURCES, cwd) : sampleSources;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(`Invalid configuration:\n  GROUNDWORK_SOURCES ${error.message}`, error);
  }
  // Validated against the configured sources: a rule naming another one fails here, at start-up.
  const access = e.ACCESS_FILE ? loadAccessFile(path.resolve(cwd, e.ACCESS_FILE), sources.map((source) => source.name)) : AccessPolicy.open();
  if (e.CHUNK_OVERLAP_TOKENS >= e.CHUNK_MAX_TOKENS / 2) {
    throw new ConfigError(
      `Invalid configuration:\n  CHUNK_OVERLAP_TOKENS must be less than half of CHUNK_MAX_TOKENS (got ${e.CHUNK_OVERLAP_TOKENS} and ${e.CHUNK_MAX_TOKENS})`,
    );
  }
  for (const [closest, answer] of [['RETRIEVAL_CLOSEST_SCORE', 'RETRIEVAL_MIN_SCORE'], ['RETRIEVAL_CLOSEST_SIMILARITY', 'RETRIEVAL_MIN_SIMILARITY']] as const) {
    if (e[closest] > e[answer]) throw new ConfigError(`Invalid configuration:\n  ${closest} must not be above ${answer} (got ${e[closest]} and ${e[answer]})`);
  }
  const chat = chatEndpoint(e);
  const embedding = embeddingEndpoint(e);
  const dataDir = path.resolve(cwd, e.GROUNDWORK_DATA_DIR);
  const channelConfigured = e.MicrosoftAppId !== null || e.SLACK_BOT_TOKEN !== null;
  return {
    environment: e.NODE_ENV,
    port: e.PORT,
    // Teams' local mode checks no tokens: unless told otherwise, only this machine may reach it.
    host: e.HOST ?? (e.TEAMS_ENABLED === 'true' && !e.MicrosoftAppId ? '127.0.0.1' : '0.0.0.0'),
    logLevel: e.LOG_LEVEL,
    dataDir,
    databasePath: path.join(dataDir, 'groundwork.db'),
    sources,
    access,
    ingest: {
      maxFileBytes: e.MAX_FILE_MB * 1024 * 1024,
      chunkMaxTokens: e.CHUNK_MAX_TOKENS,
      chunkOverlapTokens: e.CHUNK_OVERLAP_TOKENS,
      zip: { maxEntries: e.ZIP_MAX_ENTRIES, maxTotalBytes: e.ZIP_MAX_TOTAL_MB * 1024 * 1024, maxRatio: e.ZIP_MAX_RATIO },
      followSymlinks: e.FOLLOW_SYMLINKS,
      parse: { timeoutMs: e.PARSE_TIMEOUT_SECONDS * 1000, maxMemoryMb: e.PARSE_MAX_MEMORY_MB },
    },
    confluence: { baseUrl: e.CONFLUENCE_BASE_URL },
    sharepoint: { baseUrl: e.SHAREPOINT_BASE_URL },
    sync: { maxDeleteShare: e.SYNC_MAX_DELETE_SHARE, schedule: e.SYNC_SCHEDULE },
    admin: { apiToken: e.ADMIN_API_TOKEN },
    chat: chat && { ...chat, timeoutMs: e.LLM_TIMEOUT_SECONDS * 1000 },
    embedding: embedding && { ...embedding, batchInputs: e.EMBEDDING_BATCH_INPUTS, batchTokens: e.EMBEDDING_BATCH_TOKENS, concurrency: e.EMBEDDING_CONCURRENCY },
    retrieval: { topK: e.RETRIEVAL_TOP_K },
    qdrant: qdrantConfig(e),
    evidence: {
      answerScore: e.RETRIEVAL_MIN_SCORE,
      closestScore: e.RETRIEVAL_CLOSEST_SCORE,
      answerSimilarity: e.RETRIEVAL_MIN_SIMILARITY,
      closestSimilarity: e.RETRIEVAL_CLOSEST_SIMILARITY,
    },
    maxQuestionChars: e.MAX_QUESTION_CHARS,
    staleAfterDays: e.STALE_AFTER_DAYS,
    suggestedPrompts: (e.SUGGESTED_PROMPTS ?? '').split('|').map((prompt) => prompt.trim()).filter((prompt) => prompt !== ''),
    webchat: { enabled: e.WEBCHAT_ENABLED === 'auto' ? !channelConfigured : e.WEBCHAT_ENABLED === 'true' },
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null,
    teams: teamsConfig(e),
    slack: slackConfig(e),
    database: databaseConfig(e),
  };
}

function databaseConfig(e: z.infer<typeof envSchema>): Config['database'] {
  if (!e.DATABASE_URL) return null;
  // The embedded passage index reads current versions from the catalogue in its own file: with the
  // catalogue in PostgreSQL it would see no document. Replicas share passages through Qdrant.
  if (!e.QDRANT_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_URL needs QDRANT_URL: replicas sharing a catalogue in PostgreSQL must share the passages too, in Qdrant (the embedded index only works with the catalogue in its own file)',
    );
  }
  return { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX };
}
