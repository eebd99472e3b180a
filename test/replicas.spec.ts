// Two `groundwork serve` processes, as two replicas behind a load balancer: one PostgreSQL schema
// (DATABASE_URL selects it with `?options=-c search_path=...`), one Qdrant (the local fake, behind
// a gate that can hold upserts), Slack against the fake Web API and Teams in local mode against the
// fake connector. A delivery reaching both is answered once, a follow-up on the second uses what the
// first remembers, one sync runs at a time across both, and the lock of a replica killed in the
// middle of a sync passes to the other.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createTestSchema, testDatabaseUrl, type TestSchema } from './catalogue/postgres-test-schema.js';
import { FakeBotConnector } from './fakes/bot-connector.js';
import { useQdrantFake } from './fakes/qdrant-suite.js';
import { FakeSlackApi, slackSignature } from './fakes/slack-api.js';
import { until } from './fakes/until.js';
import { repoRoot, sharedData, tempDir, tsxLoader, type LogLine } from './helpers.js';
import { slackEventEnvelope } from './fakes/slack-events.js';

const recordings = path.join(sharedData, 'chat-payloads/teams-botframework-activities/inbound');
const personalMessage = '20191021205338231-request.json';
const signingSecret = 'slack-signing-secret-for-the-replicas-test';
const adminToken = 'an-admin-token-for-the-replicas-test';
const leaveQuestion = 'How many days of annual leave do I get?';

/** One `groundwork serve` child process, its JSON log lines parsed as they come. */
class Replica {
  readonly lines: LogLine[] = [];
  private readonly events = new EventEmitter();
  private output = '';
  private pending = '';
  url = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stdout.on('data', (data: Buffer) => {
      const text = data.toString();
      this.output += text;
      this.pending += text;
      const complete = this.pending.split('\n');
      this.pending = complete.pop()!;
      for (const line of complete) {
        if (!line.startsWith('{')) continue;
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          continue;
        }
        this.events.emit('line');
      }
    });
    child.stderr.on('data', (data: Buffer) => (this.output += data.toString()));
    child.on('exit', () => this.events.emit('line'));
  }

  /** Starts `groundwork serve` (added to `started` at once) and resolves once it listens (its "listening" line, or "web chat at" with the web chat on). */
  static async start(name: string, env: Record<string, string>, started: Replica[]): Promise<Replica> {
    const child = spawn(process.execPath, ['--import', tsxLoader, path.join(repoRoot, 'src/cli.ts'), 'serve'], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH, GROUNDWORK_DATA_DIR: tempDir(`groundwork-${name}-data-`), PORT: '0', HOST: '127.0.0.1', ...env },
    });
    const replica = new Replica(name, child);
    started.push(replica);
    const [listening] = await replica.waitFor((line) => line.component === 'main' && typeof line.url === 'string', 1, 120_000);
    replica.url = (listening!.url as string).replace(/\/$/, '');
    return replica;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the matching lines, logged already or still to come, once there are `count`. */
  waitFor(match: (line: LogLine) => boolean, count = 1, timeoutMs = 30_000): Promise<LogLine[]> {
    return until(
      this.events,
      'line',
      () => {
        if (!this.running && this.lines.filter(match).length < count) throw new Error(`${this.name} exited:\n${this.output.slice(-3000)}`);
        const found = this.lines.filter(match);
        return found.length >= count && found;
      },
      () => `${this.name}: expected ${count} matching log lines; output:\n${this.output.slice(-3000)}`,
      timeoutMs,
    );
  }

  turnsOf(field: 'eventId' | 'activityId', id: string): LogLine[] {
    return this.lines.filter((line) => line.msg === 'turn finished' && line[field] === id);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  admin(pathname: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.url}${pathname}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } });
  }
}

/**
 * Qdrant as the replicas reach it: every request passed on to the fake, except that while the gate
 * is closed, upserts of points wait (and are dropped if their sender dies meanwhile).
 */
class UpsertGate {
  private server: http.Server | null = null;
  private readonly events = new EventEmitter();
  private waiting: Array<() => void> = [];
  private closed = false;
  /** Upserts that arrived while the gate was closed. */
  held = 0;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): void {
    this.closed = true;
    this.held = 0;
  }

  open(): void {
    this.closed = false;
    for (const release of this.waiting.splice(0)) release();
  }

  /** Resolves once an upsert is being held. */
  waitForHeld(): Promise<number> {
    return until(this.events, 'held', () => this.held, () => 'an upsert held at the gate');
  }

  async stop(): Promise<void> {
    this.open();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const pathname = new URL(req.url ?? '/', 'http://gate').pathname;
    if (this.closed && req.method === 'PUT' && /^\/collections\/[^/]+\/points\/?$/.test(pathname)) {
      this.held++;
      this.events.emit('held');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (res.destroyed || req.socket.destroyed) return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'api-key', 'accept']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name] as string;
    const body = Buffer.concat(chunks);
    const upstream = await fetch(`${this.target}${req.url}`, { method: req.method, headers, body: body.length > 0 ? body : undefined });
    const answer = Buffer.from(await upstream.arrayBuffer());
    if (res.destroyed) return;
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(answer);
  }
}

let nextId = 1;

describe('two groundwork serve processes sharing PostgreSQL and Qdrant', function () {
  this.timeout(240_000);
  let schema: TestSchema | null = null;
  let gate: UpsertGate | null = null;
  let slack: FakeSlackApi | null = null;
  let connector: FakeBotConnector | null = null;
  let a: Replica | null = null;
  let b: Replica | null = null;
  /** Every child started, also one that failed to start: killed at the end. */
  const children: Replica[] = [];

  // Registered ahead of the fake's hooks so that the replicas are gone before the fake stops (mocha runs `after` hooks in registration order).
  after(async () => {
    gate?.open();
    await Promise.all(children.map((child) => child.kill()));
    await gate?.stop();
    await slack?.stop();
    await connector?.stop();
    await schema?.drop();
  });
  const qdrant = useQdrantFake();

  before(async function () {
    if (!fs.existsSync(recordings)) return this.skip();
    schema = await createTestSchema();
    gate = await new UpsertGate(qdrant().url).start();
    slack = await new FakeSlackApi().start();
    connector = await new FakeBotConnector().start();
    const databaseUrl = new URL(testDatabaseUrl);
    databaseUrl.searchParams.set('options', `-c search_path=${schema.name}`);
    const env = {
      DATABASE_URL: databaseUrl.href,
      QDRANT_URL: gate.url,
      SLACK_BOT_TOKEN: 'xoxb-replicas-test',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.url,
      ADMIN_API_TOKEN: adminToken,
    };
    // The first replica finds the index empty and syncs the samples before it listens; the second
    // then finds them there.
    a = await Replica.start('replica-a', env, children);
    b = await Replica.start('replica-b', env, children);
  });

  const replicas = () => [a!, b!];

  describe('Slack', () => {
    const mention = (text: string) => {
      const n = nextId++;
      const ts = `1700001${String(n).padStart(3, '0')}.000200`;
      return slackEventEnvelope(`EvReplicas${n}`, slack!.botUserId, { type: 'app_mention', user: 'UASKER01', text: `<@${slack!.botUserId}> ${text}`, ts, channel: 'CGENERAL' });
    };
    const postEvent = (replica: Replica, event: unknown, retry: number) => {
      const body = JSON.stringify(event);
      const retryHeaders: Record<string, string> = retry > 0 ? { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_timeout' } : {};
      return fetch(`${replica.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignature(signingSecret, body), ...retryHeaders }, body });
    };
    /** What Slack accepted that carries an answer (an answer ends with the feedback buttons), in a thread. */
    const answersIn = (threadTs: string) =>
      slack!.calls.filter(
        (call) =>
          ['chat.postMessage', 'chat.stopStream', 'chat.update'].includes(call.method) &&
          call.result?.ok &&
          (call.args.blocks ?? []).some((block: { block_id?: string }) => block.block_id === 'feedback') &&
          (call.args.thread_ts === threadTs || call.method !== 'chat.postMessage'),
      );
    const textOf = (call: { args: Record<string, any> }) => (call.args.blocks ?? []).map((block: any) => block.text?.text ?? '').join('\n');

    it('answers an event delivered four times, twice to each replica, exactly once; the other three turns end as duplicates', async () => {
      const event = mention(leaveQuestion);
      const statuses = await Promise.all([a!, b!, a!, b!].map((replica, n) => postEvent(replica, event, n).then((response) => response.status)));
      assert.deepEqual(statuses, [200, 200, 200, 200], 'every delivery acknowledged');
      // Every delivery ends its turn with one line: two on each replica.
      const turns = (await Promise.all(replicas().map((replica) => replica.waitFor((line) => line.msg === 'turn finished' && line.eventId === event.event_id, 2)))).flat();
      assert.deepEqual(turns.map((line) => line.outcome).sort(), ['answer', 'duplicate', 'duplicate', 'duplicate']);
      // The answering turn ends after its answer was posted.
      const answers = answersIn(event.event.ts);
      assert.equal(answers.length, 1, 'one answer posted to Slack');
      assert.equal(answers[0]!.args.channel, 'CGENERAL');
      assert.match(textOf(answers[0]!), /28 days of paid annual leave/);
    });
  });

  describe('Microsoft Teams', () => {
    const recorded = () => JSON.parse(fs.readFileSync(path.join(recordings, personalMessage), 'utf8')) as Record<string, any>;
    /** A personal-chat message in conversation `conversationId`, with a fresh activity id. */
    const personal = (text: string, conversationId: string) => {
      const activity = recorded();
      return { ...activity, id: `replicas-${nextId++}`, serviceUrl: connector!.url, text, conversation: { ...activity.conversation, id: conversationId } };
    };
    const postActivity = (replica: Replica, activity: unknown) =>
      fetch(`${replica.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const messagesIn = (conversationId: string) => connector!.sent.filter((sent) => sent.conversationId === conversationId && sent.activity.type === 'message');
    const turnFinished = (replica: Replica, activityId: string) => replica.waitFor((line) => line.msg === 'turn finished' && line.activityId === activityId);
    /** Asks one replica in a conversation; resolves with the answer posted to the connector. */
    const ask = async (replica: Replica, text: string, conversationId: string) => {
      const before = messagesIn(conversationId).length;
      const activity = personal(text, conversationId);
      assert.equal((await postActivity(replica, activity)).status, 200);
      const [turn] = await turnFinished(replica, activity.id);
      const [answer] = (await connector!.waitFor((sent) => sent.conversationId === conversationId && sent.activity.type === 'message', before + 1)).slice(before);
      return { turn: turn!, text: answer!.activity.text as string };
    };

    it('answers an activity delivered twice to each replica once', async () => {
      const conversationId = `a:replicas-dedupe-${nextId++}`;
      const activity = personal(leaveQuestion, conversationId);
      const statuses = await Promise.all([a!, b!, a!, b!].map((replica) => postActivity(replica, activity).then((response) => response.status)));
      assert.deepEqual(statuses, [200, 200, 200, 200]);
      const turns = (await Promise.all(replicas().map((replica) => replica.waitFor((line) => line.msg === 'turn finished' && line.activityId === activity.id, 2)))).flat();
      assert.deepEqual(turns.map((line) => line.outcome).sort(), ['answer', 'duplicate', 'duplicate', 'duplicate']);
      const answers = messagesIn(conversationId);
      assert.equal(answers.length, 1, 'one answer sent to the connector');
      assert.match(answers[0]!.activity.text, /28 days of paid annual leave/);
    });

    it('answers a follow-up on the second replica with what the first remembers of the conversation', async () => {
      const conversationId = `a:replicas-memory-${nextId++}`;
      const first = await ask(a!, leaveQuestion, conversationId);
      assert.equal(first.turn.outcome, 'answer');
      assert.match(first.text, /28 days of paid annual leave/);
      // "and in China?" only means leave in China with the question before it.
      const followUp = await ask(b!, 'and in China?', conversationId);
      assert.equal(followUp.turn.outcome, 'answer');
      assert.match(followUp.text, /annual leave/);
      assert.match(followUp.text, /\*\*Sources\*\*\n\n\[1\] Leave policy/);
      // The same words in a conversation of their own are about something else.
      const alone = await ask(b!, 'and in China?', `a:replicas-alone-${nextId++}`);
      assert.doesNotMatch(alone.text, /annual leave/i);
    });
  });

  describe('the sync job', () => {
    const started = async (response: Response) => ((await response.json()) as { runId: string }).runId;
    const runOn = async (replica: Replica, runId: string) => (await (await replica.admin(`/admin/sync/${runId}`)).json()) as { status: string; requestedBy: string };
    const syncFinished = (replica: Replica, runId: string) => replica.waitFor((line) => line.msg === 'sync finished' && line.runId === runId, 1, 120_000);

    it('asked of both replicas at once, runs on one (202) and is refused on the other (409) naming the running sync', async () => {
      // Upserts wait at the gate: the run that won stays running until both have answered.
      gate!.close();
      const responses = await Promise.all(replicas().map((replica) => replica.admin('/admin/sync', { method: 'POST', body: JSON.stringify({ reindex: true }) })));
      assert.deepEqual(responses.map((response) => response.status).sort(), [202, 409]);
      const winner = responses.findIndex((response) => response.status === 202);
      const runId = await started(responses[winner]!);
      const refusal = (await responses[1 - winner]!.json()) as { error: { code: string; message: string } };
      assert.match(refusal.error.message, /^a sync is already running: started by http at \d{4}-\d\d-\d\dT.* for samples, wiki, intranet$/);
      assert.equal((await runOn(replicas()[1 - winner]!, runId)).status, 'running', 'the other replica sees the run');
      gate!.open();
      const [finished] = await syncFinished(replicas()[winner]!, runId);
      assert.equal(finished!.status, 'succeeded');
    });

    it('passes the lock of a replica killed with SIGKILL in the middle of a sync to the other, which records the run as failed', async () => {
      gate!.close();
      const response = await a!.admin('/admin/sync', { method: 'POST', body: JSON.stringify({ reindex: true }) });
      assert.equal(response.status, 202);
      const abandoned = await started(response);
      // The run is writing passages (its first upsert waits at the gate), and B sees it running.
      await gate!.waitForHeld();
      assert.equal((await runOn(b!, abandoned)).status, 'running');
      assert.equal((await b!.admin('/admin/sync', { method: 'POST', body: '{}' })).status, 409, 'refused while A lives');
      await a!.kill();
      const takeover = await b!.admin('/admin/sync', { method: 'POST', body: JSON.stringify({ reindex: true }) });
      assert.equal(takeover.status, 202, 'the lock of a dead holder on this host is free at once');
      const runId = await started(takeover);
      assert.equal((await runOn(b!, abandoned)).status, 'failed');
      gate!.open();
      const [finished] = await syncFinished(b!, runId);
      assert.equal(finished!.status, 'succeeded');
    });
  });
});
