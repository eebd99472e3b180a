import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AccessPolicy } from '../../../src/access/access-policy.js';
import { answerQuestion } from '../../../src/answer/answer-question.js';
import type { SourceSpec } from '../../../src/config.js';
import { openSqliteStore, type SqliteStore } from '../../../src/index/sqlite-store.js';
import { runSync } from '../../../src/ingest/run-sync.js';
import { SharePointSource } from '../../../src/ingest/sources/sharepoint-source.js';
import { folderWith, sharedData, silentLogger, tempDir, evidence } from '../../helpers.js';
import { docxFile } from '../../office-fixtures.js';
import { indexedItems, labelsAt } from './indexed-labels.js';

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

/** A Graph permission listing, as GET /drives/{drive-id}/items/{item-id}/permissions returns it. */
const permissions = (value: object[], more: object = {}) => ({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#drives(\'b!x\')/items(\'01X\')/permissions', value, ...more });
let permissionId = 0;
const readBy = (grantedToV2: object, roles = ['read']) => ({ id: `p${++permissionId}`, roles, grantedToV2 });

describe('SharePointSource', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(path.join(tempDir(), 'index.db'));
  });
  afterEach(() => store.close());

  const sync = (location: string, baseUrl: string | null = 'https://contoso.sharepoint.com/sites/intranet') => {
    const spec: SourceSpec = { name: 'intranet', kind: 'sharepoint', location };
    return runSync({ ...store, logger: silentLogger, access: AccessPolicy.open() }, [new SharePointSource(spec, { baseUrl })], {
      chunking: { maxTokens: 200, overlapTokens: 30 },
      maxFileBytes: 10 * 1024 * 1024,
    }).then((reports) => reports[0]!);
  };
  const ask = (text: string) =>
    answerQuestion(
      { index: store.index, syncState: store.catalogue, retrieval: { topK: 5 }, evidence: evidence(0.5, 0.4) },
      { text, asker: { platform: 'cli', userId: 'u' }, conversation: { id: 'c' }, history: [], readers: ['everyone'] },
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

  it('re-indexes a library file whose permissions changed beside it, though its bytes did not', async () => {
    const folder = folderWith({ 'Library/pay.txt': 'Salaries are paid on the 25th.', 'Library/pay.txt.permissions.json': JSON.stringify(permissions([readBy({ group: { displayName: 'HR' } })])) });
    assert.equal((await sync(folder)).added, 1);
    assert.equal((await sync(folder)).unchanged, 1);
    fs.writeFileSync(path.join(folder, 'Library/pay.txt.permissions.json'), JSON.stringify(permissions([readBy({ group: { displayName: 'Payroll' } })])));
    assert.equal((await sync(folder)).updated, 1);
    fs.rmSync(path.join(folder, 'Library/pay.txt.permissions.json'));
    assert.equal((await sync(folder)).updated, 1, 'and again when they are gone');
  });

  it('says so when an export holds nothing it can read', async () => {
    assert.match((await sync(folderWith({ 'image.png': 'x' }))).error ?? '', /holds no SharePoint pages/);
  });
});

describe('SharePointSource access labels (who the export says may read an item)', () => {
  const source = (location: string) => new SharePointSource({ name: 'intranet', kind: 'sharepoint', location }, { baseUrl: null });
  const textPage = (name: string, title: string, security = '') => `<pnp:ClientSidePage PageName="${name}" Title="${title}">${security}
<pnp:Sections><pnp:Section Order="1" Type="OneColumn"><pnp:Controls><pnp:CanvasControl WebPartType="Text" Order="1" Column="1"><pnp:CanvasControlProperties>
<pnp:CanvasControlProperty Key="Text" Value="&lt;p&gt;${title} text.&lt;/p&gt;"/></pnp:CanvasControlProperties></pnp:CanvasControl></pnp:Controls></pnp:Section></pnp:Sections></pnp:ClientSidePage>`;
  const template = (pages: string[]) => `<?xml version="1.0"?>
<pnp:Provisioning xmlns:pnp="http://schemas.dev.office.com/PnP/2021/03/ProvisioningSchema"><pnp:Templates ID="c"><pnp:ProvisioningTemplate ID="t" Version="1">
<pnp:ClientSidePages>${pages.join('\n')}</pnp:ClientSidePages></pnp:ProvisioningTemplate></pnp:Templates></pnp:Provisioning>`;

  it('restricts a PnP page that breaks inheritance without copying role assignments to the principals whose role reads', async () => {
    const xml = template([
      textPage(
        'Salaries.aspx',
        'Salaries',
        `<pnp:Security><pnp:BreakRoleInheritance CopyRoleAssignments="false" ClearSubscopes="true">
<pnp:RoleAssignment Principal="HR Members" RoleDefinition="Read"/>
<pnp:RoleAssignment Principal="i:0#.f|membership|alice@contoso.com" RoleDefinition="Contribute"/>
<pnp:RoleAssignment Principal="bob@contoso.com" RoleDefinition="{roledefinition:Editor}"/>
<pnp:RoleAssignment Principal="c:0t.c|tenant|5f1c2b3a-payroll" RoleDefinition="Full Control"/>
<pnp:RoleAssignment Principal="{associatedownergroup}" RoleDefinition="Full Control"/>
<pnp:RoleAssignment Principal="Style Resource Readers" RoleDefinition="Limited Access"/>
<pnp:RoleAssignment Principal="Interns" RoleDefinition="Read" Remove="true"/>
</pnp:BreakRoleInheritance></pnp:Security>`,
      ),
      textPage('Copied.aspx', 'Copied', '<pnp:Security><pnp:BreakRoleInheritance CopyRoleAssignments="true" ClearSubscopes="false"><pnp:RoleAssignment Principal="Auditors" RoleDefinition="Read"/></pnp:BreakRoleInheritance></pnp:Security>'),
      textPage('AllStaff.aspx', 'All staff', '<pnp:Security><pnp:BreakRoleInheritance CopyRoleAssignments="false" ClearSubscopes="false"><pnp:RoleAssignment Principal="c:0-.f|rolemanager|spo-grid-all-users/0f9e8d7c" RoleDefinition="Read"/><pnp:RoleAssignment Principal="Site Owners" RoleDefinition="Full Control"/></pnp:BreakRoleInheritance></pnp:Security>'),
      textPage('Open.aspx', 'Open'),
    ]);
    const items = await indexedItems(source(folderWith({ 'template.xml': xml })));
    assert.deepEqual(labelsAt(items, 'SitePages/Salaries.aspx'), [
      'restricted',
      'sharepoint-group:5f1c2b3a-payroll',
      'sharepoint-group:HR Members',
      'sharepoint-group:{associatedownergroup}',
      'sharepoint-user:alice@contoso.com',
      'sharepoint-user:bob@contoso.com',
    ]);
    assert.deepEqual(labelsAt(items, 'SitePages/Copied.aspx'), [], 'copied role assignments keep the site\'s readers');
    assert.deepEqual(labelsAt(items, 'SitePages/AllStaff.aspx'), ['sharepoint-group:Site Owners', 'sharepoint-organization']);
    assert.deepEqual(labelsAt(items, 'SitePages/Open.aspx'), []);
  });

  it('labels library files from Graph permission listings: beside the file, beside its folder, or on its driveItem; never indexes the JSON', async () => {
    const hr = permissions([
      readBy({ user: { displayName: 'Alice Wong', email: 'alice@contoso.com', id: 'u1' } }, ['write']),
      readBy({ user: { displayName: 'Bob Li', userPrincipalName: 'bob@contoso.com' } }),
      readBy({ group: { displayName: 'HR Team', email: 'hr@contoso.com', id: 'g1' } }),
      readBy({ siteGroup: { displayName: 'Intranet Owners', id: '3', loginName: 'Intranet Owners' } }, ['owner']),
      readBy({ application: { displayName: 'Backup robot', id: 'a1' } }),
      { id: 'link1', roles: ['read'], link: { scope: 'users', type: 'view', webUrl: 'https://contoso.sharepoint.com/:t:/s/x' }, grantedToIdentitiesV2: [{ user: { email: 'carol@contoso.com' } }] },
      readBy({ user: { email: 'nobody@contoso.com' } }, ['sp.unknownrole']),
    ]);
    const shared = permissions([readBy({ siteGroup: { displayName: 'Intranet Members' } }), { id: 'link2', roles: ['read'], link: { scope: 'organization', type: 'view' }, grantedToIdentitiesV2: [] }]);
    const board = permissions([readBy({ group: { displayName: 'Board' } })]);
    const listing = { value: [{ name: 'notes.txt', size: 10, file: {}, permissions: permissions([readBy({ user: { email: 'dan@contoso.com' } })]).value }] };
    const folder = folderWith({
      'Library/salaries.txt': 'Salary bands are reviewed in March.',
      'Library/salaries.txt.permissions.json': JSON.stringify(hr),
      'Library/handbook.txt': 'The handbook is for everyone.',
      'Library/handbook.txt.permissions.json': JSON.stringify(shared),
      'Library/board.permissions.json': JSON.stringify(board),
      'Library/board/minutes.txt': 'The board met on Monday.',
      'Library/board/agenda.txt': 'Agenda of the next meeting.',
      'Library/board/agenda.txt.permissions.json': JSON.stringify(permissions([readBy({ user: { email: 'erin@contoso.com' } })])),
      'Library/notes.txt': 'Notes of the week.',
      'Library/children.json': JSON.stringify(listing),
      'Library/empty.txt': 'Nobody is named.',
      'Library/empty.txt.permissions.json': JSON.stringify(permissions([])),
      'Library/open.txt': 'No permissions exported.',
      'Library/plan.md': '---\ntags: [budget, sharepoint-organization]\n---\n# Plan\n\nThe budget plan.',
      'Library/plan.md.permissions.json': JSON.stringify(board),
    });
    const items = await indexedItems(source(folder));
    assert.deepEqual([...items.keys()].sort(), ['Library/board/agenda.txt', 'Library/board/minutes.txt', 'Library/empty.txt', 'Library/handbook.txt', 'Library/notes.txt', 'Library/open.txt', 'Library/plan.md', 'Library/salaries.txt']);
    assert.deepEqual(labelsAt(items, 'Library/salaries.txt'), [
      'restricted',
      'sharepoint-group:HR Team',
      'sharepoint-group:Intranet Owners',
      'sharepoint-user:alice@contoso.com',
      'sharepoint-user:bob@contoso.com',
      'sharepoint-user:carol@contoso.com',
    ]);
    assert.deepEqual(labelsAt(items, 'Library/handbook.txt'), ['sharepoint-group:Intranet Members', 'sharepoint-organization']);
    assert.deepEqual(labelsAt(items, 'Library/board/minutes.txt'), ['restricted', 'sharepoint-group:Board'], 'its folder\'s permissions');
    assert.deepEqual(labelsAt(items, 'Library/board/agenda.txt'), ['restricted', 'sharepoint-user:erin@contoso.com'], 'its own permissions before its folder\'s');
    assert.deepEqual(labelsAt(items, 'Library/notes.txt'), ['restricted', 'sharepoint-user:dan@contoso.com']);
    assert.deepEqual(labelsAt(items, 'Library/empty.txt'), ['restricted']);
    assert.deepEqual(labelsAt(items, 'Library/open.txt'), []);
    assert.deepEqual(labelsAt(items, 'Library/plan.md'), ['budget', 'restricted', 'sharepoint-group:Board'], 'a tag cannot open a restricted file');
  });

  it('restricts a file whose permissions file cannot be read, and says why', async () => {
    const listing = await source(folderWith({ 'pay.txt': 'Paid monthly.', 'pay.txt.permissions.json': '{"value": [' })).list();
    const item = listing.items.find((i) => i.path === 'pay.txt')!;
    const parsed = await item.parse(await item.read());
    assert.deepEqual(parsed.labels, ['restricted']);
    assert.match(parsed.warnings?.join() ?? '', /not a Graph permission listing/);
    assert.deepEqual(parsed.sections.map((section) => section.text), ['Paid monthly.'], 'the text is the file\'s alone');
  });
});
