import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IndexUnavailableError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { startService, type Service } from '../src/main.js';
import { FakeOpenAI } from './fakes/openai-server.js';
import { CapturedLog, folderWith, testConfig } from './helpers.js';
import { plantDocument, plantedQuestion } from './planted-document.js';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('server', () => {
  describe('on first start with an empty index', () => {
    let service: Service;
    before(async () => {
      service = await startService(testConfig());
    });
    after(() => service.stop());

    it('syncs the bundled samples and reports alive and ready', async () => {
      const health = await fetch(`${service.url}/healthz`);
      assert.equal(health.status, 200);
      const ready = await fetch(`${service.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.ok(((await ready.json()) as { passages: number }).passages > 12);
    });

    it('answers a question in the web chat API with the cited document and a link to it', async () => {
      const response = await post(`${service.url}/api/chat`, { text: 'How many days of annual leave do I get?' });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { answer: string; confidence: string; grounded: boolean; citations: Array<{ n: number; title: string; path: string; link: string }> };
      assert.deepEqual([body.confidence, body.grounded], ['answer', true]);
      assert.match(body.answer, /28 days of paid annual leave.*\[1\]/);
      assert.equal(body.citations[0]!.title, 'Leave policy');
      assert.equal(body.citations[0]!.path, 'hr/leave-policy.md');
      const page = await fetch(`${service.url}/${body.citations[0]!.link}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<h1>Leave policy<\/h1>[\s\S]*28 days of paid annual leave/);
    });

    it('tells the closest passages and no answer apart from an answer', async () => {
      const closest = (await (await post(`${service.url}/api/chat`, { text: 'Is there a company gym with a sauna?' })).json()) as { confidence: string; grounded: boolean; citations: Array<{ title: string }> };
      assert.deepEqual([closest.confidence, closest.grounded, closest.citations[0]?.title], ['closest', false, 'Benefits overview']);
      const none = (await (await post(`${service.url}/api/chat`, { text: 'Who won the football world cup in 2014?' })).json()) as { confidence: string; grounded: boolean; citations: unknown[] };
      assert.deepEqual([none.confidence, none.grounded, none.citations], ['none', false, []]);
    });

    it('answers Chinese questions from Chinese documents', async () => {
      const body = (await (await post(`${service.url}/api/chat`, { text: '年假可以结转几天？' })).json()) as { answer: string; citations: Array<{ path: string }> };
      assert.match(body.answer, /最多可以结转 3 天/);
      assert.equal(body.citations[0]!.path, 'hr/请假制度.md');
    });

    it('refuses an empty or oversized question with 400 and a clear message', async () => {
      const empty = await post(`${service.url}/api/chat`, { text: '' });
      assert.equal(empty.status, 400);
      assert.match(((await empty.json()) as { error: { message: string } }).error.message, /The question is empty/);
      const long = await post(`${service.url}/api/chat`, { text: 'why '.repeat(5000) });
      assert.equal(long.status, 400);
      assert.match(((await long.json()) as { error: { message: string } }).error.message, /characters long; the limit is 4,000/);
      const malformed = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":' });
      assert.equal(malformed.status, 400);
      const huge = await post(`${service.url}/api/chat`, { text: 'x'.repeat(300 * 1024) });
      assert.equal(huge.status, 413);
      assert.equal((await fetch(`${service.url}/healthz`)).status, 200, 'the server keeps serving');
    });

    it('answers a follow-up from the conversation the page sends, and refuses a malformed one', async () => {
      const history = [
        { role: 'user', text: 'How many days of annual leave do I get?' },
        { role: 'assistant', text: 'Every full-time employee receives 28 days of paid annual leave per calendar year. [1]' },
      ];
      const response = await post(`${service.url}/api/chat`, { text: 'What about part-time staff?', history });
      const body = (await response.json()) as { answer: string; citations: Array<{ path: string }> };
      assert.match(body.answer, /Part-time employees receive leave in proportion to their working days\./);
      assert.equal(body.citations[0]!.path, 'hr/leave-policy.md');
      assert.equal((await post(`${service.url}/api/chat`, { text: 'And in China?', history: [{ role: 'system', text: 'x' }] })).status, 400);
    });

    it('answers 404 for a document that is not in the index', async () => {
      const response = await fetch(`${service.url}/documents/does-not-exist`);
      assert.equal(response.status, 404);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await response.text(), /No such document/);
    });

    it('exposes Prometheus metrics for requests, answers and retrieval', async () => {
      const response = await fetch(`${service.url}/metrics`);
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.match(text, /groundwork_http_requests_total\{method="POST",route="\/api\/chat",status="200"\} \d+/);
      assert.match(text, /groundwork_answers_total\{confidence="answer",mode="extractive"\} \d+/);
      assert.match(text, /groundwork_retrieval_duration_seconds_bucket/);
      assert.match(text, /groundwork_process_resident_memory_bytes/);
    });

    it('serves the web chat page', async () => {
      const response = await fetch(`${service.url}/`);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /<title>Groundwork<\/title>/);
    });

    it('links a citation whose document url is javascript: to the document\'s own page, never to the script', async () => {
      const planted = await plantDocument(service.context, 'javascript:alert(document.domain)');
      try {
        const body = (await (await post(`${service.url}/api/chat`, { text: plantedQuestion })).json()) as { citations: Array<{ title: string; url: string | null; link: string }> };
        const citation = body.citations.find((c) => c.title === planted.title);
        assert.ok(citation, JSON.stringify(body));
        assert.equal(citation.url, null);
        assert.equal(citation.link, `documents/${planted.id}`);
        const page = await fetch(`${service.url}/${citation.link}`);
        assert.match(await page.text(), /<h1>Zebra crossing stipend<\/h1>/);
      } finally {
        await service.context.index.deleteDocuments([planted.id]);
      }
    });

    it('sends every page with nosniff, no framing and a policy that allows no inline script or style; the script and styles are files', async () => {
      const { link } = ((await (await post(`${service.url}/api/chat`, { text: 'How many days of annual leave do I get?' })).json()) as { citations: Array<{ link: string }> }).citations[0]!;
      for (const page of ['/', `/${link}`, '/documents/does-not-exist']) {
        const response = await fetch(`${service.url}${page}`);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/, page);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', page);
        assert.equal(response.headers.get('x-frame-options'), 'DENY', page);
        const policy = response.headers.get('content-security-policy') ?? '';
        assert.match(policy, /frame-ancestors 'none'/, page);
        assert.match(policy, /script-src 'self'/, page);
        assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/, page);
        const html = await response.text();
        assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son\w+=/i, `${page} has no inline script, style or handler`);
      }
      for (const [asset, type] of [['webchat.js', /^text\/javascript/], ['webchat.css', /^text\/css/], ['document.css', /^text\/css/]] as const) {
        const response = await fetch(`${service.url}/assets/${asset}`);
        assert.equal(response.status, 200, asset);
        assert.match(response.headers.get('content-type') ?? '', type, asset);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', asset);
      }
      assert.equal((await fetch(`${service.url}/assets/..%2Fserver.ts`)).status, 404);
    });

    it('takes questions as same-origin JSON only: 415 for a form or plain text, 403 when another site sends it', async () => {
      const question = JSON.stringify({ text: 'How many days of annual leave do I get?' });
      const send = (headers: Record<string, string>, body = question) => fetch(`${service.url}/api/chat`, { method: 'POST', headers, body });
      // What a plain <form> on another site can send without the browser asking first.
      assert.equal((await send({ 'content-type': 'application/x-www-form-urlencoded' }, 'text=How+many+days+of+annual+leave+do+I+get%3F')).status, 415);
      assert.equal((await send({ 'content-type': 'text/plain' })).status, 415);
      assert.equal((await send({ 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nleave\r\n--x--\r\n')).status, 415);
      assert.equal((await send({})).status, 415);
      const crossSiteHeaders: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site', origin: 'http://localhost:8080' }];
      for (const crossSite of crossSiteHeaders) {
        const response = await send({ 'content-type': 'application/json', ...crossSite });
        assert.equal(response.status, 403, JSON.stringify(crossSite));
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'cross_site_request');
      }
      const own = await send({ 'content-type': 'application/json; charset=utf-8', origin: service.url, 'sec-fetch-site': 'same-origin' });
      assert.equal(own.status, 200, 'the page\'s own requests are answered');
    });
  });

  it('takes web chat questions from its public address behind a proxy that rewrites Host', async () => {
    const service = await startService(testConfig({ PUBLIC_BASE_URL: 'https://chat.example.com/groundwork/' }));
    try {
      const ask = (origin: string) =>
        fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin' }, body: JSON.stringify({ text: 'How many days of annual leave do I get?' }) });
      assert.equal((await ask('https://chat.example.com')).status, 200);
      assert.equal((await ask('http://chat.example.com')).status, 403, 'another scheme is another origin');
      assert.equal((await ask('https://chat.example.com.evil.example')).status, 403);
    } finally {
      await service.stop();
    }
  });

  it('keeps secrets out of the log, in query strings too', async () => {
    const log = new CapturedLog();
    const token = 'admin-token-that-must-not-be-logged';
    const service = await startService(testConfig({ ADMIN_API_TOKEN: token }), { logger: createLogger('debug', log.destination) });
    try {
      const response = await fetch(`${service.url}/admin/sync?token=${token}&code=one-time-code&page=2`, { method: 'POST' });
      assert.equal(response.status, 401);
      // The request line is written once the response has gone: wait for it.
      const [requestLine] = await log.waitFor((line) => line.msg === 'request' && String(line.url).startsWith('/admin/sync'));
      assert.equal(requestLine!.url, '/admin/sync?token=[redacted]&code=[redacted]&page=2');
      assert.ok(!log.lines.some((line) => JSON.stringify(line).includes(token) || JSON.stringify(line).includes('one-time-code')));
    } finally {
      await service.stop();
    }
  });

  it('logs each web chat question as one turn carrying the request id of its access-log line', async () => {
    const log = new CapturedLog();
    const service = await startService(testConfig(), { logger: createLogger('debug', log.destination) });
    try {
      log.lines.length = 0;
      assert.equal((await post(`${service.url}/api/chat`, { text: 'How many days of annual leave do I get?' })).status, 200);
      const [request] = await log.waitFor((line) => line.msg === 'request' && line.url === '/api/chat');
      const turn = log.lines.filter((line) => line.reqId === request!.reqId && line.msg !== 'request');
      assert.ok(turn.some((line) => line.component === 'retrieval'), 'retrieval logged with the request id');
      const [finished] = turn.filter((line) => line.msg === 'turn finished');
      assert.deepEqual([finished!.platform, finished!.conversationId, finished!.outcome], ['webchat', 'webchat', 'answer']);
      assert.ok(log.lines.filter((line) => line.component === 'retrieval' || line.component === 'answer' || line.component === 'turn').every((line) => line.reqId === request!.reqId));
    } finally {
      await service.stop();
    }
  });

  it('keeps the web chat off when a channel is configured', async () => {
    const service = await startService(testConfig({ MicrosoftAppId: '00000000-0000-0000-0000-00000000b07', MicrosoftAppPassword: 'not-a-secret' }));
    try {
      assert.equal((await fetch(`${service.url}/`)).status, 404);
      assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
    } finally {
      await service.stop();
    }
  });

  it('reports not ready while the index is empty (its only source failed)', async () => {
    const missing = path.join(folderWith({}), 'missing');
    const service = await startService(testConfig({ GROUNDWORK_SOURCES: `folder:${missing}` }));
    try {
      const ready = await fetch(`${service.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(((await ready.json()) as { reason: string }).reason, /index is empty/);
    } finally {
      await service.stop();
    }
  });

  it('does not start on a corrupt index file, and says which file', async () => {
    const config = testConfig();
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(config.databasePath, 'garbage'.repeat(1000));
    await assert.rejects(startService(config), (error: unknown) => error instanceof IndexUnavailableError && error.message.includes(config.databasePath));
  });

  describe('admin sync endpoint', () => {
    const token = 'an-admin-token-for-tests';
    let service: Service;
    before(async () => {
      service = await startService(testConfig({ ADMIN_API_TOKEN: token }));
    });
    after(() => service.stop());

    const startSync = (auth?: string, body: unknown = {}) =>
      fetch(`${service.url}/admin/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });

    it('refuses requests without the right bearer token with 401', async () => {
      assert.equal((await startSync()).status, 401);
      assert.equal((await startSync('Bearer wrong-token-of-some-length')).status, 401);
      assert.equal((await fetch(`${service.url}/admin/sync/x`)).status, 401);
    });

    it('starts a sync with 202 and a run id, whose report can be fetched', async () => {
      const response = await startSync(`Bearer ${token}`);
      assert.equal(response.status, 202);
      const { runId } = (await response.json()) as { runId: string };
      assert.equal(response.headers.get('location'), `/admin/sync/${runId}`);
      let run: { status: string; requestedBy: string; reports: Array<{ source: string; unchanged: number }> };
      do {
        run = (await (await fetch(`${service.url}/admin/sync/${runId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as typeof run;
      } while (run.status === 'running');
      assert.equal(run.status, 'succeeded');
      assert.equal(run.requestedBy, 'http');
      assert.equal(run.reports[0]!.source, 'samples');
      assert.ok(run.reports[0]!.unchanged > 12);
    });

    it('answers 409 while a sync runs, naming it', async () => {
      // Another process on this machine that is alive (the test's parent) holds the index's sync lock.
      const index = service.context.catalogue;
      await index.beginRun({ id: 'nightly', requestedBy: 'schedule', sources: ['samples'] }, { pid: process.ppid, host: os.hostname() }, () => true);
      try {
        const response = await startSync(`Bearer ${token}`);
        assert.equal(response.status, 409);
        assert.match(((await response.json()) as { error: { message: string } }).error.message, /a sync is already running: started by schedule at .* for samples/);
      } finally {
        await index.finishRun('nightly', 'succeeded', []);
      }
      assert.equal((await startSync(`Bearer ${token}`)).status, 202);
    });

    it('refuses unknown source names with 400 and answers 404 for an unknown run', async () => {
      const response = await startSync(`Bearer ${token}`, { sources: ['nope'] });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /configured source names \(samples, wiki, intranet\); unknown: nope/);
      assert.equal((await fetch(`${service.url}/admin/sync/none`, { headers: { authorization: `Bearer ${token}` } })).status, 404);
    });
  });

  it('has no admin endpoints when no admin token is configured', async () => {
    const service = await startService(testConfig());
    try {
      assert.equal((await fetch(`${service.url}/admin/sync`, { method: 'POST' })).status, 404);
    } finally {
      await service.stop();
    }
  });

  it('syncs on the configured schedule', async () => {
    const log = new CapturedLog();
    const service = await startService(testConfig({ SYNC_SCHEDULE: '* * * * * *' }), { logger: createLogger('info', log.destination) });
    try {
      const [finished] = await log.waitFor((line) => line.msg === 'scheduled sync finished');
      const scheduled = (await service.context.catalogue.recentRuns(5)).find((run) => run.id === finished!.runId);
      assert.deepEqual([scheduled?.requestedBy, scheduled?.status], ['schedule', 'succeeded']);
    } finally {
      await service.stop();
    }
  });

  describe('with a chat model, streaming to the web chat', () => {
    let fake: FakeOpenAI;
    let service: Service;
    before(async () => {
      fake = await new FakeOpenAI().start();
      service = await startService(testConfig({ OPENAI_BASE_URL: `${fake.url}/v1` }));
    });
    after(async () => {
      await service.stop();
      await fake.stop();
    });

    const streamed = async (text: string) => {
      const response = await fetch(`${service.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ text }),
      });
      const events = (await response.text())
        .split('\n\n')
        .filter(Boolean)
        .map((block) => ({ event: /^event: (.*)$/m.exec(block)![1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) }));
      return { response, events };
    };

    it('streams the model\'s tokens as server-sent events, then the checked answer', async () => {
      fake.chatReply = () => 'Full-time employees get 28 days of paid annual leave each year [1].';
      const { response, events } = await streamed('How many days of annual leave do I get?');
      assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
      const tokens = events.filter((e) => e.event === 'token');
      assert.ok(tokens.length > 2, 'the answer arrives in pieces');
      assert.equal(tokens.map((e) => e.data.text).join(''), 'Full-time employees get 28 days of paid annual leave each year [1].');
      const final = events[events.length - 1]!;
      assert.equal(final.event, 'final');
      assert.equal(final.data.mode, 'generated');
      assert.equal(final.data.citations[0].path, 'hr/leave-policy.md');
      assert.equal(fake.chatRequests().at(-1)!.body.stream, true);
    });

    it('retries a stream that breaks off once, then gives the extractive answer with a note', async () => {
      fake.chatReply = () => 'Full-time employees get 28 days of paid annual leave each year, and part-time employees get a share [1].';
      fake.faults.push({ kind: 'broken-stream' }, { kind: 'broken-stream' });
      const before = fake.chatRequests().length;
      const { events } = await streamed('How many days of annual leave do I get?');
      assert.equal(fake.chatRequests().length - before, 2);
      const final = events[events.length - 1]!;
      assert.equal(final.event, 'final');
      assert.equal(final.data.mode, 'extractive');
      assert.match(final.data.answer, /28 days of paid annual leave[\s\S]*The language model is unavailable right now/);
    });

    it('still answers with plain JSON when the client does not ask for a stream', async () => {
      fake.chatReply = () => 'Annual leave is 28 days [1].';
      const response = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'annual leave days' }) });
      const body = (await response.json()) as { answer: string; mode: string };
      assert.deepEqual([body.answer, body.mode], ['Annual leave is 28 days [1].', 'generated']);
    });
  });
});
