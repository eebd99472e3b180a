// Ingest benchmark: documents and MB per second for parse + chunk + index, the cost of a
// no-change re-sync, and peak memory as a Confluence export grows (2,500 -> 10,000 pages).
//   npm run bench:ingest [-- /path/to/handbook]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const here = path.dirname(fileURLToPath(import.meta.url));
const handbook = path.resolve(process.argv[2] ?? path.join(here, '../../shared/data/handbooks/18f-tts-handbook'));
const sizes = [2_500, 5_000, 10_000];

const topics = ['leave', 'travel', 'security', 'hiring', 'payroll', 'laptops', 'deployments', 'incidents', 'benefits', 'training'];

function page(id: number): string {
  const topic = topics[id % topics.length]!;
  const paragraphs = Array.from(
    { length: 6 },
    (_, p) => `<p>Rule ${id}.${p} of the ${topic} process: employees in team ${id % 97} follow step ${p + 1} before they ask their manager, and record it in the ${topic} tracker within ${p + 2} working days.</p>`,
  ).join('');
  const table = `<div class="table-wrap"><table class="confluenceTable"><tbody><tr><th class="confluenceTh">Item</th><th class="confluenceTh">Owner</th></tr>${Array.from({ length: 4 }, (_, r) => `<tr><td class="confluenceTd">${topic} item ${r}</td><td class="confluenceTd">Team ${(id + r) % 50}</td></tr>`).join('')}</tbody></table></div>`;
  return `<!DOCTYPE html><html><head><title>Operations : ${topic} guide ${id}</title></head><body><div id="page"><div id="main">
<div id="breadcrumb-section"><ol id="breadcrumbs"><li class="first"><span><a href="index.html">Operations</a></span></li><li><span><a href="Home_1.html">Home</a></span></li></ol></div>
<h1 id="title-heading" class="pagetitle"><span id="title-text">Operations : ${topic} guide ${id}</span></h1>
<div id="content" class="view"><div class="page-metadata">Created by <span class='author'> admin</span>, last modified on Mar 04, 2026</div>
<div id="main-content" class="wiki-content group"><h2>Overview</h2>${paragraphs}<h2>Owners</h2>${table}</div></div></div></div></body></html>`;
}

async function confluenceExport(pages: number, file: string): Promise<number> {
  const zip = new yazl.ZipFile();
  let bytes = 0;
  for (let id = 2; id < pages + 2; id++) {
    const html = Buffer.from(page(id));
    bytes += html.length;
    zip.addBuffer(html, `OPS/guide-${id}_${id}.html`);
  }
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject));
  return bytes;
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

function runWorker(kind: string, location: string): { firstMs: number; resyncMs: number; maxRssMB: number; added: number; unchanged: number; failed: number } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-ingest-'));
  try {
    const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'ingest-worker.ts'), kind, location, dataDir], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(output.trim().split('\n').pop()!);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows: Array<Record<string, string | number>> = [];
function record(name: string, bytes: number, result: ReturnType<typeof runWorker>): void {
  rows.push({
    corpus: name,
    documents: result.added,
    MB: Number((bytes / 1024 / 1024).toFixed(1)),
    firstSyncS: Number((result.firstMs / 1000).toFixed(1)),
    docsPerS: Math.round(result.added / (result.firstMs / 1000)),
    MBPerS: Number((bytes / 1024 / 1024 / (result.firstMs / 1000)).toFixed(2)),
    resyncVsFirst: Number((result.resyncMs / result.firstMs).toFixed(3)),
    peakRssMB: result.maxRssMB,
  });
  console.error(`${name}: done`);
}

if (fs.existsSync(handbook)) record('18F handbook (folder)', folderBytes(handbook), runWorker('folder', handbook));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-exports-'));
for (const pages of sizes) {
  const file = path.join(work, `export-${pages}.html.zip`);
  const bytes = await confluenceExport(pages, file);
  record(`Confluence HTML export, ${pages.toLocaleString('en')} pages (zip)`, bytes, runWorker('confluence', file));
}
fs.rmSync(work, { recursive: true, force: true });
console.table(rows);
console.log(JSON.stringify(rows, null, 2));
