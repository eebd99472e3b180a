import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { fillManifest, manifestDir } from '../../scripts/package-teams.js';
import { repoRoot, tempDir } from '../helpers.js';

const require = createRequire(import.meta.url);
// CommonJS packages whose default export TypeScript's NodeNext resolution does not see.
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
const template = () => fs.readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8');
const schemasDir = path.join(path.dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build/json-schemas/teams');

type Manifest = {
  manifestVersion: string;
  $schema: string;
  bots: Array<{ botId: string; scopes: string[]; commandLists: Array<{ scopes: string[]; commands: Array<{ title: string; description?: string }> }> }>;
};

/** The released schema versions @microsoft/app-manifest ships ("1.30"), oldest first; the developer preview left out. */
function shippedVersions(): string[] {
  const versions = fs.readdirSync(schemasDir).filter((name) => /^v\d+\.\d+$/.test(name)).map((name) => name.slice(1));
  return versions.sort((a, b) => {
    const [am, an] = a.split('.').map(Number);
    const [bm, bn] = b.split('.').map(Number);
    return am! - bm! || an! - bn!;
  });
}

/** Checks a filled-in manifest against the schema its `$schema` names, as shipped by @microsoft/app-manifest. */
function assertValidAgainstDeclaredSchema(manifest: Manifest): void {
  const declared = /\/teams\/v(\d+\.\d+)\/MicrosoftTeams\.schema\.json$/.exec(manifest.$schema)?.[1];
  assert.ok(declared, `$schema names a released Teams schema: ${manifest.$schema}`);
  assert.equal(manifest.manifestVersion, declared, 'manifestVersion is the version of the declared schema');
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(schemasDir, `v${declared}`, 'MicrosoftTeams.schema.json'), 'utf8')));
  assert.ok(validate(manifest), JSON.stringify(validate.errors, null, 2));
}

/** The personal chat's prompt starters: the commands that are questions. */
const promptStarters = (manifest: Manifest) => manifest.bots[0]!.commandLists.find((list) => list.scopes.includes('personal'))!.commands.filter((command) => !['help', 'status', 'sync'].includes(command.title));
const values = {
  APP_VERSION: '0.1.0',
  TEAMS_APP_ID: '2f3a1c9e-8d4b-4e6f-9a7c-1b2d3e4f5a6b',
  BOT_ID: '0b3c5d7e-1111-4a2b-8c9d-123456789abc',
  PUBLIC_BASE_URL: 'https://groundwork.example.com',
  BOT_DOMAIN: 'groundwork.example.com',
  DEVELOPER_NAME: 'Brightpath Robotics',
};

/** Width, height and RGBA pixels of an 8-bit RGBA PNG without interlacing (what manifest/ holds). */
async function readPng(file: string): Promise<{ width: number; height: number; colorType: number; pixels: Buffer }> {
  const data = fs.readFileSync(file);
  assert.equal(data.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${file} is a PNG`);
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  const colorType = data[25]!;
  const idat: Buffer[] = [];
  for (let at = 8; at < data.length; ) {
    const length = data.readUInt32BE(at);
    if (data.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(data.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const { inflateSync } = await import('node:zlib');
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width * 4 + 1)], 0, 'unfiltered rows');
    raw.copy(pixels, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, colorType, pixels };
}

describe('Teams app manifest', () => {
  it('is valid against the Teams manifest schema it declares once filled in, the newest one @microsoft/app-manifest ships', () => {
    const manifest = fillManifest(template(), values) as Manifest;
    assertValidAgainstDeclaredSchema(manifest);
    assert.equal(manifest.manifestVersion, shippedVersions().at(-1));
    const [bot] = manifest.bots;
    assert.equal(bot!.botId, values.BOT_ID);
    assert.deepEqual(bot!.scopes, ['personal', 'team', 'groupChat']);
  });

  it('offers prompt starters in the personal chat, and the commands in every scope, one list per scope', () => {
    const manifest = fillManifest(template(), values) as Manifest;
    const lists = manifest.bots[0]!.commandLists;
    const scopes = lists.flatMap((list) => list.scopes);
    assert.deepEqual([...scopes].sort(), ['groupChat', 'personal', 'team'], 'each scope in exactly one list');
    const starters = promptStarters(manifest);
    assert.ok(starters.length >= 3 && starters.length <= 6, `${starters.length} prompt starters`);
    assert.ok(starters.some((starter) => starter.title === 'How many days of annual leave do I get?'));
    assert.ok(starters.some((starter) => starter.title === 'Which VPN client do we use?'));
    for (const starter of starters) {
      assert.match(starter.title, /[?？]$/, 'a prompt starter is a question');
      assert.ok(starter.description && starter.description.length > 0, `${starter.title} says what it is about`);
    }
    for (const list of lists) assert.deepEqual(list.commands.map((c) => c.title).filter((t) => ['help', 'status', 'sync'].includes(t)), ['help', 'status', 'sync'], `the commands in ${list.scopes.join(', ')}`);
    // Only personal chats: Teams shows prompt starters there.
    for (const list of lists.filter((list) => !list.scopes.includes('personal'))) assert.deepEqual(list.commands.map((c) => c.title), ['help', 'status', 'sync']);
  });

  it('names a placeholder that has no value', () => {
    assert.throws(() => fillManifest(template(), { ...values, BOT_ID: undefined as unknown as string }), /no value for BOT_ID/);
  });

  it('has a 192x192 colour icon and a 32x32 outline icon that is white on transparent', async () => {
    const color = await readPng(path.join(manifestDir, 'color.png'));
    assert.deepEqual([color.width, color.height], [192, 192]);
    const outline = await readPng(path.join(manifestDir, 'outline.png'));
    assert.deepEqual([outline.width, outline.height, outline.colorType], [32, 32, 6]);
    let white = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = outline.pixels.subarray(i, i + 4);
      if (a === 0) continue;
      assert.deepEqual([r, g, b], [255, 255, 255], 'only white where not transparent');
      white++;
    }
    assert.ok(white > 50 && white < 32 * 32 - 50, 'a visible mark, with transparency around it');
  });

  it('npm run package:teams writes the app package from the settings, and says what is missing', async function () {
    this.timeout(30_000);
    const run = promisify(execFile);
    const out = path.join(tempDir(), 'app.zip');
    const env = {
      PATH: process.env.PATH,
      TEAMS_APP_ID: values.TEAMS_APP_ID,
      MicrosoftAppId: values.BOT_ID,
      MicrosoftAppPassword: 'secret',
      PUBLIC_BASE_URL: 'https://groundwork.example.com/',
    };
    const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
    await run(tsx, ['scripts/package-teams.ts', '--developer', 'Brightpath Robotics', '--out', out], { cwd: repoRoot, env });
    const zip = await JSZip.loadAsync(fs.readFileSync(out));
    assert.deepEqual(Object.keys(zip.files).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    assertValidAgainstDeclaredSchema(manifest);
    assert.deepEqual(promptStarters(manifest), promptStarters(fillManifest(template(), values) as Manifest), 'the prompt starters are in the package');
    assert.equal(manifest.id, values.TEAMS_APP_ID);
    assert.equal(manifest.bots[0].botId, values.BOT_ID);
    assert.deepEqual(manifest.validDomains, ['groundwork.example.com']);
    assert.equal(manifest.developer.name, 'Brightpath Robotics');

    const failed = await run(tsx, ['scripts/package-teams.ts', '--out', out], { cwd: repoRoot, env: { PATH: process.env.PATH } }).catch((error: { code: number; stderr: string }) => error);
    assert.equal((failed as { code: number }).code, 1);
    assert.match((failed as { stderr: string }).stderr, /set TEAMS_APP_ID .*MicrosoftAppId .*PUBLIC_BASE_URL/);
  });
});
