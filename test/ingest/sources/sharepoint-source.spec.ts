import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { answerQuestion } from '../../../src/answer/answer-question.js';
import type { SourceSpec } from '../../../src/config.js';
import { openSqliteStore, type SqliteStore } from '../../../src/index/sqlite-store.js';
import { runSync } from '../../../src/ingest/run-sync.js';
import { SharePointSource } from '../../../src/ingest/sources/sharepoint-source.js';
import { folderWith, sharedData, silentLogger, tempDir, evidence } from '../../helpers.js';
import { docxFile } from '../../office-fixtures.js';

const starterKit = path.join(sharedData, 'sharepoint/pnp-site-template-sp-starter-kit');

function modernPage(title: string, canvasHtml: string, published: string): string {
  const escaped = canvasHtml.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<%@ Page language="C#" Inherits="Microsoft.SharePoint.WebPartPages.WebPartPage" %>
<html xmlns:mso="urn:schemas-microsoft-com:office:office" xmlns:msdt="uuid:C2F41010-65B3-11d1-A29F-00AA00C14882"><head>
<!--[if gte mso 9]><SharePoint:CTFieldRefs runat=server Prefix="mso:" FieldList="FileLeafRef"><xml>
<mso:CustomDocumentProperties>
<mso:ContentTypeId msdt:dt="string">0x0101009D1CB255DA76424F860D91F20E6C4118</mso:ContentTypeId>
<mso:Title msdt:dt="string">${title}</mso:Title>
<mso:FirstPublishedDate msdt:dt="string">${published}</mso:FirstPublishedDate>
<mso:PromotedState msdt:dt="string">0</mso:PromotedState>
<mso:CanvasContent1 msdt:dt="string">${escaped}</mso:CanvasContent1>
</mso:CustomDocumentProperties>
</xml></SharePoint:CTFieldRefs><![endif]-->
<title>${title}</title></head><body></body></html>`;
}

describe('SharePointSource', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(path.join(tempDir(), 'index.db'));
  });
  afterEach(() => store.close());

  const sync = (location: string, baseUrl: string | null = 'https://contoso.sharepoint.com/sites/intranet') => {
    const spec: SourceSpec = { name: 'intranet', kind: 'sharepoint', location };
    return runSync({ ...store, logger: silentLogger }, [new SharePointSource(spec, { baseUrl })], {
      chunking: { maxTokens: 200, overlapTokens: 30 },
      maxFileBytes: 10 * 1024 * 1024,
    }).then((reports) => reports[0]!);
  };
  const ask = (text: string) =>
    answerQuestion(
      { index: store.index, syncState: store.catalogue, retrieval: { topK: 5 }, evidence: evidence(0.5, 0.4) },
      { text, asker: { platform: 'cli', userId: 'u' }, conversation: { id: 'c' }, history: [] },
    );

  it('indexes the text web parts of a real PnP site template, one document per page', async function () {
    if (!fs.existsSync(starterKit)) this.skip();
    const report = await sync(starterKit);
    assert.equal(report.added, 6);
    assert.ok(report.skipped.some((s) => s.path === 'SitePages/FAQ.aspx' && s.reason === 'it holds no text'), 'pages with web parts only hold no text');
    const news = await ask('marketing campaigns meeting conference room seven');
    const { document } = news.citations[0]!.passage;
    assert.equal(document.title, 'Meeting on Marketing In Non-English-Speaking Markets This Friday');
    assert.equal(document.url, 'https://contoso.sharepoint.com/sites/intranet/SitePages/Meeting-on-Marketing-In-Non-English-Speaking-Markets-This-Friday.aspx');
    assert.match((await ask('drone 8K HDR camera')).text, /Contoso MARK8 is the first drone to offer an 8K HDR camera/);
    assert.deepEqual([(await sync(starterKit)).unchanged, (await sync(starterKit)).added], [6, 0]);
  });

  it('resolves {localization:…} tokens from the .resx beside a template', async () => {
    const template = `<?xml version="1.0"?>
<pnp:Provisioning xmlns:pnp="http://schemas.dev.office.com/PnP/2021/03/ProvisioningSchema"><pnp:Templates><pnp:ProvisioningTemplate ID="t">
<pnp:ClientSidePages><pnp:ClientSidePage PageName="Benefits.aspx" Title="{localization:BenefitsTitle}"><pnp:Sections><pnp:Section Order="1" Type="OneColumn"><pnp:Controls>
<pnp:CanvasControl WebPartType="Text" Order="1" Column="1"><pnp:CanvasControlProperties>
<pnp:CanvasControlProperty Key="Text" Value="&lt;h2&gt;Gym&lt;/h2&gt;&lt;p&gt;{localization:GymText}&lt;/p&gt;"/>
</pnp:CanvasControlProperties></pnp:CanvasControl></pnp:Controls></pnp:Section></pnp:Sections></pnp:ClientSidePage></pnp:ClientSidePages>
</pnp:ProvisioningTemplate></pnp:Templates></pnp:Provisioning>`;
    const resx = `<?xml version="1.0"?><root><data name="BenefitsTitle" xml:space="preserve"><value>Employee benefits</value></data>
<data name="GymText" xml:space="preserve"><value>The gym subsidy is 30 EUR per month.</value></data></root>`;
    await sync(folderWith({ 'template.xml': template, 'resources.en-us.resx': resx }));
    const answer = await ask('gym subsidy per month');
    assert.equal(answer.citations[0]!.passage.document.title, 'Employee benefits');
    assert.equal(answer.text, 'The gym subsidy is 30 EUR per month. [1]');
  });

  it('reads modern page .aspx files from their canvas content', async () => {
    const page = modernPage('Parking', '<div data-sp-canvascontrol="" data-sp-controldata="{}"><div data-sp-rte=""><h2>Visitors</h2><p>Visitor parking is free for 2 hours &amp; needs a ticket.</p></div></div>', '2026-02-03T08:00:00Z');
    await sync(folderWith({ 'SitePages/Parking.aspx': page }));
    const answer = await ask('visitor parking hours');
    const { document } = answer.citations[0]!.passage;
    assert.equal(document.title, 'Parking');
    assert.deepEqual(document.updatedAt, new Date('2026-02-03T08:00:00Z'));
    assert.equal(document.url, 'https://contoso.sharepoint.com/sites/intranet/SitePages/Parking.aspx');
    assert.match(answer.text, /Visitor parking is free for 2 hours & needs a ticket\. \[1\]/);
  });

  it('takes url, date and author of library files from a Graph driveItem listing beside them', async () => {
    const listing = {
      value: [
        {
          name: 'Expense policy.docx',
          size: 1234,
          file: { mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
          webUrl: 'https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Policies/Expense%20policy.docx',
          lastModifiedDateTime: '2026-03-04T10:00:00Z',
          lastModifiedBy: { user: { displayName: 'Mei Chen' } },
        },
      ],
    };
    await sync(folderWith({ 'Policies/Expense policy.docx': await docxFile(), 'Policies/children.json': JSON.stringify(listing) }), null);
    const { document } = (await ask('hotel limit per night')).citations[0]!.passage;
    assert.equal(document.url, 'https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Policies/Expense%20policy.docx');
    assert.deepEqual(document.updatedAt, new Date('2026-03-04T10:00:00Z'));
    assert.equal(document.path, 'Policies/Expense policy.docx');
  });

  it('says so when an export holds nothing it can read', async () => {
    assert.match((await sync(folderWith({ 'image.png': 'x' }))).error ?? '', /holds no SharePoint pages/);
  });
});
