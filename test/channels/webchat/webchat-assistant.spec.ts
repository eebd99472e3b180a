// The web chat as an assistant, in Chromium: suggested questions on an empty conversation,
// citations with where they land, their date and a stale note, usable on a 390 px phone and by
// keyboard alone, with labels and a live region for screen readers.
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { replaceDocument } from '../../../src/ingest/index-writer.js';
import { startService, type Service } from '../../../src/main.js';
import { testConfig } from '../../helpers.js';

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('web chat as an assistant (headless Chromium)', function () {
  this.timeout(60_000);
  let service: Service;
  let browser: Browser;
  let page: Page;

  before(async () => {
    service = await startService(testConfig({ SUGGESTED_PROMPTS: 'How many days of annual leave do I get?|Which VPN client do we use?' }));
    // An old page, quoted at its section: the citation says how old it is and links to the section.
    await replaceDocument(
      service.context,
      { id: 'oldpolicy000000000000000000000001', source: 'samples', path: 'old/parking.md', title: 'Parking rules', url: 'https://intranet.example.com/parking', updatedAt: new Date('2021-03-14T00:00:00Z'), author: null, labels: [], superseded: false, readers: ['everyone'], contentHash: 'old-parking' },
      [{ id: 'oldpolicy000000000000000000000001:0', documentId: 'oldpolicy000000000000000000000001', position: 0, headingPath: ['Parking rules', 'Visitor parking'], text: 'Visitor parking spaces are on level minus two and must be booked a day ahead.', tokenCount: 20, contentHash: 'old-parking-0', location: { anchor: 'visitor-parking' } }],
    );
    // A page of three sections: an answer about one offers the others as questions to ask next.
    const heron = 'heron00000000000000000000000001';
    const sections = [
      ['Who can apply', 'The heron parking permit is free for every employee who cycles to the office less than twice a week.'],
      ['Renewing the permit', 'The heron parking permit is renewed every January at the front desk of the heron building.'],
      ['Lost permits', 'A lost heron parking permit is replaced once a year for free at the front desk.'],
    ];
    await replaceDocument(
      service.context,
      { id: heron, source: 'samples', path: 'facilities/heron-permit.md', title: 'Heron parking permit', url: null, updatedAt: new Date('2026-10-01T00:00:00Z'), author: null, labels: [], superseded: false, readers: ['everyone'], contentHash: 'heron' },
      sections.map(([heading, text], i) => ({ id: `${heron}:${i * 2}`, documentId: heron, position: i * 2, headingPath: ['Heron parking permit', heading!], text: text!, tokenCount: 24, contentHash: `heron-${i}` })),
    );
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
  });
  const open = async (width = 1280, height = 800) => {
    page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${service.url}/`);
  };
  afterEach(() => page?.close());
  /** Types a question, presses Enter and waits for the first reply. */
  const askFirst = async (question: string) => {
    await page.fill('#question', question);
    await page.press('#question', 'Enter');
    const reply = page.locator('article.bot').first();
    await reply.waitFor();
    return reply;
  };

  it('offers the suggested questions on an empty conversation; one click asks it, and they go', async () => {
    await open();
    const prompts = page.locator('#prompts button');
    await prompts.first().waitFor();
    assert.deepEqual(await prompts.allInnerTexts(), ['How many days of annual leave do I get?', 'Which VPN client do we use?']);
    await prompts.nth(1).click();
    const reply = page.locator('article.bot').first();
    await reply.waitFor();
    assert.match(await reply.innerText(), /WireGuard|VPN/);
    assert.equal(await page.locator('#prompts').isHidden(), true);
  });

  it('shows each citation with a link to its section, its date and, past STALE_AFTER_DAYS, a note', async () => {
    await open();
    const reply = await askFirst('Where is visitor parking?');
    const source = reply.locator('ol.sources li', { hasText: 'Parking rules' });
    assert.equal(await source.locator('a').getAttribute('href'), 'https://intranet.example.com/parking#visitor-parking');
    assert.equal(await source.locator('.details').innerText(), 'updated 14 Mar 2021 · may be out of date');
    assert.match((await source.locator('.details').getAttribute('class')) ?? '', /stale/);
  });

  it('offers questions to ask next under the latest answer; a click asks one, and only the newest answer keeps its offer', async () => {
    await open();
    const first = await askFirst('Who can apply for the heron parking permit?');
    const offered = first.locator('ul.follow-ups button');
    await offered.first().waitFor();
    const questions = await offered.allInnerTexts();
    assert.ok(questions.length >= 1 && questions.length <= 3, questions.join(' | '));
    assert.ok(questions.every((q) => /renewing the permit|lost permits/i.test(q)), `from the page's other sections: ${questions.join(' | ')}`);
    assert.equal(await first.locator('h2.follow-ups-heading').innerText(), 'Ask next');

    await offered.first().click();
    await page.locator('article.bot').nth(1).waitFor();
    assert.equal(await page.locator('article.user').nth(1).innerText(), questions[0]);
    assert.match(await page.locator('article.bot').nth(1).innerText(), /heron parking permit/i);
    assert.equal(await first.locator('ul.follow-ups').count(), 0, 'the earlier answer\'s offer is gone');
  });

  it('fits a 390 px phone: nothing wider than the screen, the question box and its button in view', async () => {
    await open(390, 844);
    await askFirst('How do I connect to the VPN?');
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    assert.ok(widths.page <= widths.viewport, `the page is ${widths.page} px wide on a ${widths.viewport} px screen`);
    for (const selector of ['#question', '#send']) {
      const box = (await page.locator(selector).boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `${selector} is on screen`);
    }
  });

  it('works by keyboard alone, with labels and a polite live region', async () => {
    await open();
    await page.locator('#prompts button').first().waitFor();
    assert.equal(await page.getByLabel('Your question').count(), 1, 'the question box has a label');
    assert.equal(await page.locator('#conversation').getAttribute('aria-live'), 'polite');
    // Tab order: the suggestions, then the question, then Ask.
    const focused = async () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.id || document.activeElement?.className || document.activeElement?.tagName);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'prompt');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'question');
    await page.keyboard.type('How many days of annual leave do I get?');
    await page.keyboard.press('Enter');
    await page.locator('article.bot').first().waitFor();
    assert.match(await page.locator('article.bot').first().innerText(), /28 days/);
    await page.waitForFunction(() => document.activeElement?.id === 'question');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'send');
  });
});
