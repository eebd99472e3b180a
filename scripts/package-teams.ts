// Builds the Teams app package (manifest.json with its placeholders filled in, and the two icons)
// for sideloading or the Teams admin center.
//   npm run package:teams [-- --developer "Company name"] [--out dist/groundwork-teams.zip]
// Values come from the settings (.env or the environment): TEAMS_APP_ID, MicrosoftAppId, PUBLIC_BASE_URL.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import JSZip from 'jszip';
import { loadConfig, packageRoot, type Config } from '../src/config.js';

export const manifestDir = path.join(packageRoot, 'manifest');

/** Replaces every `${{NAME}}` in the manifest template; a placeholder without a value is an error. */
export function fillManifest(template: string, values: Record<string, string>): unknown {
  const missing = new Set<string>();
  const filled = template.replace(/\$\{\{(\w+)\}\}/g, (_, name: string) => {
    if (values[name] === undefined) missing.add(name);
    return JSON.stringify(values[name] ?? '').slice(1, -1);
  });
  if (missing.size > 0) throw new Error(`no value for ${[...missing].join(', ')}`);
  return JSON.parse(filled);
}

export function manifestValues(config: Config, developer: string): Record<string, string> {
  const needs: string[] = [];
  if (!config.teams.appId) needs.push('TEAMS_APP_ID (a new GUID for the app)');
  if (!config.teams.credentials) needs.push("MicrosoftAppId (the Azure Bot's app id)");
  if (!config.publicBaseUrl?.startsWith('https://')) needs.push('PUBLIC_BASE_URL (the https address Teams reaches the bot at)');
  if (needs.length > 0) throw new Error(`set ${needs.join(', ')}`);
  const version = (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    APP_VERSION: version,
    TEAMS_APP_ID: config.teams.appId!,
    BOT_ID: config.teams.credentials!.appId,
    PUBLIC_BASE_URL: config.publicBaseUrl!,
    BOT_DOMAIN: new URL(config.publicBaseUrl!).host,
    DEVELOPER_NAME: developer,
  };
}

export async function packageTeamsApp(values: Record<string, string>, out: string): Promise<void> {
  const manifest = fillManifest(fs.readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8'), values);
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(manifest, null, 2));
  for (const icon of ['color.png', 'outline.png']) zip.file(icon, fs.readFileSync(path.join(manifestDir, icon)));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = new Command('package:teams')
    .option('--developer <name>', 'the publisher shown in Teams', 'Groundwork')
    .option('--out <file>', 'where to write the package', path.join(packageRoot, 'dist/groundwork-teams.zip'))
    .parse()
    .opts<{ developer: string; out: string }>();
  try {
    await packageTeamsApp(manifestValues(loadConfig(), options.developer), path.resolve(options.out));
    process.stdout.write(`Teams app package written to ${path.resolve(options.out)}: upload it in Teams (Apps > Manage your apps > Upload an app) or the Teams admin center.\n`);
  } catch (error) {
    process.stderr.write(`package:teams: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
