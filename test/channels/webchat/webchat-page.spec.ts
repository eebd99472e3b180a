import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startService, type Service } from '../../../src/main.js';
import { FakeOpenAI } from '../../fakes/openai-server.js';
import { testConfig } from '../../helpers.js';
import { plantDocument, plantedQuestion } from '../../planted-document.js';

// Debian's Chromium, installed by .ci/run; a browser download does not work on build machines.
const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('web chat page (headless Chromium)', function () {
  let service: Service;
  let browser: Browser;
  let page: Page;
  /** What the browser reported refusing under the page's Content-Security-Policy. */
  let refusedByPolicy: string[];

  before(async () => {
    service = await startService(testConfig());
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
  });
  beforeEach(async () => {
    page = await browser.newPage();
    refusedByPolicy = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
    });
    await page.goto(`${service.url}/`);
  });
  afterEach(() => page.close());

  async function ask(question: string) {
    const before = await page.locator('article.bot').count();
    await page.fill('#question', question);
    await page.press('#question', 'Enter');
    await page.locator('article.bot').nth(before).waitFor();
    return page.locator('article.bot').nth(before);
  }

  it('shows the answer with numbered citations that link to the right document', async () => {
    const reply = await ask('How do I connect to the VPN?');
    assert.match(await reply.locator('.text').innerText(), /Request VPN profile\. \[1\]/);
    const source = reply.locator('ol.sources li').first();
    assert.match(await source.innerText(), /Connecting to the VPN/);
    const marker = reply.locator('a.citation').first();
    assert.equal(await marker.innerText(), '[1]');
    const [documentPage] = await Promise.all([page.context().waitForEvent('page'), marker.click()]);
    await documentPage.waitForLoadState();
    assert.equal(await documentPage.locator('h1').innerText(), 'Connecting to the VPN');
    // Its styles came from its own file, under the same policy.
    assert.equal(await documentPage.locator('body').evaluate((body) => getComputedStyle(body).maxWidth), '736px');
    await documentPage.close();
    assert.deepEqual(refusedByPolicy, [], 'the page works under its policy: no inline script or style');
  });

  it('links a citation whose document url is javascript: to the document\'s own page', async () => {
    const planted = await plantDocument(service.context, 'javascript:document.title="pwned"');
    try {
      const reply = await ask(plantedQuestion);
      const links = await reply.locator('a').evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
      assert.ok(links.length >= 2, 'the marker and the source are links');
      for (const link of links) assert.equal(link, `${service.url}/documents/${planted.id}`);
      const [documentPage] = await Promise.all([page.context().waitForEvent('page'), reply.locator('a.citation').first().click()]);
      await documentPage.waitForLoadState();
      assert.equal(await documentPage.locator('h1').innerText(), 'Zebra crossing stipend');
      await documentPage.close();
      assert.equal(await page.title(), 'Groundwork');
    } finally {
      await service.context.index.deleteDocuments([planted.id]);
    }
  });

  it('makes no link of a reply\'s link that is neither http(s) nor a document page, whatever the server sent', async () => {
    await page.route('**/api/chat', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ answer: 'Hotels are capped [1].', confidence: 'answer', grounded: true, mode: 'extractive', citations: [{ n: 1, title: 'Travel policy', url: null, path: 'travel.md', source: 'wiki', link: 'javascript:document.title="pwned"', updatedAt: null }] }),
      }),
    );
    const reply = await ask('What is the hotel limit?');
    assert.equal(await reply.locator('a').count(), 0);
    assert.match(await reply.locator('ol.sources').innerText(), /Travel policy/);
  });

  it('shows the closest passages as such when the evidence is weak', async () => {
    const reply = await ask('Is there a company gym with a sauna?');
    assert.match((await reply.getAttribute('class')) ?? '', /\bclosest\b/);
    assert.equal(await reply.locator('.badge').innerText(), 'Closest match, not a direct answer');
    assert.match(await reply.locator('.text').innerText(), /^I couldn't find a clear answer to that in the documents\. The closest I found[\s\S]*Gym[\s\S]*\[1\]/);
    assert.match(await reply.locator('ol.sources').innerText(), /Benefits overview/);
  });

  it('says plainly when the documents do not hold the answer', async () => {
    const reply = await ask('Who won the football world cup in 2014?');
    assert.match(await reply.getAttribute('class') ?? '', /\bnone\b/);
    assert.match(await reply.innerText(), /couldn't find the answer[\s\S]*samples \(\d+ documents, last synced/);
    assert.equal(await reply.locator('ol.sources').count(), 0);
  });

  it('shows the reason when a question is refused', async () => {
    await page.evaluate(() => {
      (document.getElementById('question') as HTMLTextAreaElement).value = 'x'.repeat(5000);
    });
    await page.press('#question', 'Enter');
    const reply = page.locator('article.bot.error');
    await reply.waitFor();
    assert.match(await reply.innerText(), /5,000 characters long; the limit is 4,000/);
  });

  it('streams a generated answer into the page and ends with its cited sources', async () => {
    const fake = await new FakeOpenAI().start();
    fake.chatReply = () => 'Install WireGuard, then request a VPN profile in the IT portal [1].';
    const withModel = await startService(testConfig({ OPENAI_BASE_URL: `${fake.url}/v1` }));
    const modelPage = await browser.newPage();
    try {
      await modelPage.goto(`${withModel.url}/`);
      await modelPage.fill('#question', 'How do I connect to the VPN?');
      await modelPage.press('#question', 'Enter');
      const reply = modelPage.locator('article.bot:not(.streaming)').first();
      await reply.waitFor();
      assert.equal(await reply.locator('.text').innerText(), 'Install WireGuard, then request a VPN profile in the IT portal [1].');
      assert.match(await reply.locator('ol.sources').innerText(), /Connecting to the VPN/);
      assert.equal(await modelPage.locator('article.streaming').count(), 0);
    } finally {
      await modelPage.close();
      await withModel.stop();
      await fake.stop();
    }
  });
});
