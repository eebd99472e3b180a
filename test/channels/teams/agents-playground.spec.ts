import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startService, type Service } from '../../../src/main.js';
import { repoRoot, testConfig } from '../../helpers.js';

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Microsoft 365 Agents Playground against the bot (headless Chromium)', function () {
  this.timeout(90_000);
  let service: Service;
  let playground: ChildProcess;
  let browser: Browser;
  let url: string;

  before(async () => {
    service = await startService(testConfig());
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const cli = path.join(repoRoot, 'node_modules/.bin/agentsplayground');
    // The playground quits when its output is not a terminal: `script` gives it one.
    playground = spawn('script', ['-qc', `${cli} -e ${service.url}/api/messages -c msteams -p ${port} --dt`, '/dev/null'], {
      env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    playground.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes(`Listening on ${port}`)) {
      if (Date.now() > deadline || playground.exitCode !== null) throw new Error(`the playground did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs, headless: true });
  });
  after(async () => {
    await browser?.close();
    if (playground?.pid) process.kill(-playground.pid, 'SIGTERM');
    await service?.stop();
  });

  it('shows the welcome, then a cited answer whose thumbs-up feedback is stored', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await page.goto(url);
    await page.getByText("I answer questions from the company's documents").first().waitFor({ timeout: 30_000 });
    await page.locator('[data-lexical-editor="true"]').click();
    await page.keyboard.type('How many days of annual leave do I get?');
    await page.keyboard.press('Enter');
    const answer = page.getByText('Every full-time employee receives 28 days of paid annual leave per calendar year.');
    await answer.first().waitFor({ timeout: 30_000 });
    const body = await page.locator('body').innerText();
    // The Playground (0.2.28) shows a message that carries suggested actions as its plain Markdown, without citation pills.
    assert.match(body, /Sources\W*\[?1\]?\s*Leave policy · updated \d{1,2} [A-Z][a-z]{2} \d{4}/, 'the sources list');
    await page.getByRole('button', { name: 'What about sick leave?' }).first().waitFor({ timeout: 10_000 });

    // Thumbs up opens Teams' feedback form; what is submitted reaches the bot as an invoke and is stored.
    await page.getByRole('button', { name: 'Like', exact: true }).click();
    await page.getByRole('dialog').locator('textarea').fill('Clear and quick');
    await page.getByRole('button', { name: 'Submit' }).click();
    const deadline = Date.now() + 10_000;
    let stored = await service.context.catalogue.recentFeedback(1);
    while (stored.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stored = await service.context.catalogue.recentFeedback(1);
    }
    assert.equal(stored[0]?.reaction, 'like');
    assert.equal(stored[0]?.comment, 'Clear and quick');
    assert.equal(stored[0]?.question, 'How many days of annual leave do I get?');
    await page.close();
  });
});
