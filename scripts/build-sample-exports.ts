// Builds the sample exports of Brightpath Robotics (a fictional company) in the formats real
// systems produce: a Confluence HTML space export (.zip) and a SharePoint export (PnP site
// template, a modern page .aspx, a document library with a Graph listing).
//   npx tsx scripts/build-sample-exports.ts
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow } from 'docx';
import ExcelJS from 'exceljs';
import yazl from 'yazl';
import { escapeHtml } from '../src/escape-html.js';

const samples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../samples');
const fixedDate = new Date('2026-03-04T09:00:00Z');

// ---------- Confluence HTML space export ----------

interface WikiPage {
  id: number;
  slug: string;
  title: string;
  parent: number | null;
  author: string;
  modified: string; // as Confluence prints it
  body: string; // Confluence "view" HTML
  attachments?: Array<{ id: number; name: string; mime: string; content: string }>;
}

const space = { key: 'ENG', name: 'Engineering' };
const info = (kind: string, title: string, body: string) =>
  `<div class="confluence-information-macro confluence-information-macro-${kind}"><p class="title">${title}</p><span class="aui-icon aui-icon-small aui-iconfont-${kind} confluence-information-macro-icon"></span><div class="confluence-information-macro-body">${body}</div></div>`;
const code = (text: string) =>
  `<div class="code panel pdl" style="border-width: 1px;"><div class="codeContent panelContent pdl"><pre class="syntaxhighlighter-pre" data-syntaxhighlighter-params="brush: bash; gutter: false; theme: Confluence" data-theme="Confluence">${escapeHtml(text)}</pre></div></div>`;
const table = (rows: string[][]) =>
  `<div class="table-wrap"><table class="relative-table confluenceTable"><tbody>${rows
    .map((row, i) => `<tr>${row.map((cell) => (i === 0 ? `<th class="confluenceTh">${cell}</th>` : `<td class="confluenceTd">${cell}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table></div>`;

const wiki: WikiPage[] = [
  {
    id: 98305, slug: 'Engineering-Home', title: 'Engineering Home', parent: null, author: 'Jonas Weber', modified: 'Feb 12, 2026',
    body: '<p>Welcome to the Brightpath engineering space. Start with the architecture overview, then set up the robot test bench.</p><ul><li>Architecture overview</li><li>Robot test bench</li><li>API style guide</li></ul>',
  },
  {
    id: 98310, slug: 'Architecture-overview', title: 'Architecture overview', parent: 98305, author: 'Jonas Weber', modified: 'Mar 04, 2026',
    body:
      '<h2 id="Architectureoverview-Components">Components</h2>' +
      table([['Component', 'Language', 'Owner'], ['Fleet manager', 'Go', 'Fleet team'], ['Motion controller', 'C++', 'Controls team'], ['Operator dashboard', 'TypeScript', 'Web team']]) +
      '<p>The fleet manager assigns missions to robots over MQTT; each robot runs the motion controller and reports its position every 200 ms.</p>' +
      info('warning', 'Safety', '<p>Changes to the motion controller need two approvals, one of them from the Controls team.</p>') +
      '<h2 id="Architectureoverview-Environments">Environments</h2>' +
      '<div class="contentLayout2"><div class="columnLayout two-equal" data-layout="two-equal"><div class="cell normal" data-type="normal"><div class="innerCell"><p>Staging runs in the Berlin data centre and is reset every Sunday night.</p></div></div><div class="cell normal" data-type="normal"><div class="innerCell"><p>Production runs in two regions: Frankfurt and Shanghai.</p></div></div></div></div>',
  },
  {
    id: 98315, slug: 'Robot-test-bench', title: 'Robot test bench', parent: 98305, author: 'Lena Fischer', modified: 'Jan 20, 2026',
    body:
      '<p>The hardware-in-the-loop test bench in Berlin (lab 3.02) has four robots on rails. Book it in the lab calendar; slots are two hours long.</p>' +
      '<h2 id="Robottestbench-Runningatest">Running a test</h2>' +
      code('bench reserve --slot 2h\nbench run --suite regression --firmware ./build/robot.bin') +
      info('note', '', '<p>Always run <code>bench release</code> when you finish, or the next team cannot start.</p>') +
      '<div id="expander-1" class="expand-container"><div id="expander-control-1" class="expand-control"><span class="expand-icon aui-icon aui-icon-small aui-iconfont-chevron-right">&nbsp;</span><span class="expand-control-text">Emergency stop</span></div><div id="expander-content-1" class="expand-content"><p>Press the red button on the rail controller; the robots stop within 50 ms.</p></div></div>',
    attachments: [{ id: 98317, name: 'bench-contacts.txt', mime: 'text/plain', content: 'Test bench contacts\nLab manager: Lena Fischer, ext. 312\nOut of hours: security desk, ext. 100\n' }],
  },
  {
    id: 98320, slug: '', title: '测试台使用须知', parent: 98315, author: '王芳', modified: '三月 02, 2026',
    body:
      '<p>上海实验室（8 楼 805 室）的测试台有两台机器人，需要提前在实验室日历中预约，每次最多四小时。</p>' +
      info('warning', '安全', '<p>进入实验室必须佩戴安全鞋。测试运行时不得进入黄色警戒线以内。</p>') +
      '<p>测试结束后请运行 <code>bench release</code> 释放测试台，并把机器人移回充电位。</p>',
  },
  {
    id: 98325, slug: 'API-style-guide', title: 'API style guide', parent: 98305, author: 'Sam Okafor', modified: 'Dec 15, 2025',
    body:
      '<p>All public APIs are REST over HTTPS with JSON bodies. Use plural nouns for collections, for example <code>/robots</code> and <code>/missions</code>.</p>' +
      '<ol><li>Version APIs in the path: <code>/v1/robots</code>.</li><li>Return <code>429</code> with a <code>Retry-After</code> header when a client is rate limited.</li><li>Timestamps are ISO 8601 in UTC.</li></ol>',
  },
  {
    id: 98330, slug: 'Release-Process', title: 'Release Process', parent: 98305, author: 'Sam Okafor', modified: 'Nov 18, 2026',
    body:
      '<p>How the fleet management service and the operator dashboard reach production, and when they do not.</p>' +
      '<h2 id="ReleaseProcess-Releasecalendar">Release calendar</h2>' +
      '<p>The operator dashboard is released every second Tuesday at 10:00 Berlin time. The fleet management service is deployed continuously through the deploy pipeline.</p>' +
      '<h2 id="ReleaseProcess-Freezewindows">Freeze windows</h2>' +
      table([['Freeze', 'From', 'To'], ['Automatica trade fair', '22 June 2026', '26 June 2026'], ['Year-end freeze', '14 December 2026', '4 January 2027']]) +
      '<p>During a freeze only hotfixes approved by the release manager on duty are deployed.</p>' +
      '<h2 id="ReleaseProcess-Hotfixes">Hotfixes</h2>' +
      '<p>Open a ticket in the HOTFIX project, link the incident, and ask the release manager on duty in #releases. A hotfix still needs one code review.</p>',
  },
  {
    id: 98335, slug: 'Release-process-2024-superseded', title: 'Release process 2024 (superseded)', parent: 98305, author: 'Sam Okafor', modified: 'Feb 05, 2024',
    body:
      info('warning', 'Superseded', '<p>This page is kept for reference only.</p>') +
      '<h2 id="Releaseprocess2024superseded-Freezewindows">Freeze windows</h2>' +
      table([['Freeze', 'From', 'To'], ['Hannover Messe', '22 April 2024', '26 April 2024'], ['Year-end freeze', '16 December 2024', '6 January 2025']]) +
      '<p>During a freeze no deploys happen at all, hotfixes included.</p>',
  },
];

function crumbs(page: WikiPage): WikiPage[] {
  const chain: WikiPage[] = [];
  for (let parent = page.parent; parent !== null; ) {
    const found = wiki.find((p) => p.id === parent)!;
    chain.unshift(found);
    parent = found.parent;
  }
  return chain;
}

const fileName = (page: WikiPage) => (page.slug ? `${page.slug}_${page.id}.html` : `${page.id}.html`);

function pageHtml(page: WikiPage): string {
  const breadcrumbs = [`<li class="first"><span><a href="index.html">${space.name}</a></span></li>`, ...crumbs(page).map((c) => `<li><span><a href="${fileName(c)}">${escapeHtml(c.title)}</a></span></li>`)].join('\n');
  const attachments = page.attachments?.length
    ? `<div class="pageSection group"><div class="pageSectionHeader"><h2 id="attachments" class="pageSectionTitle">Attachments:</h2></div><div class="greybox" align="left">${page.attachments
        .map((a) => `<img src="images/icons/bullet_blue.gif" height="8" width="8" alt=""/><a href="attachments/${page.id}/${a.id}.${a.name.split('.').pop()}">${a.name}</a> (${a.mime})<br/>`)
        .join('\n')}</div></div>`
    : '';
  return `<!DOCTYPE html>
<html>
    <head>
        <title>${space.name} : ${escapeHtml(page.title)}</title>
        <link rel="stylesheet" href="styles/site.css" type="text/css" />
        <META http-equiv="Content-Type" content="text/html; charset=UTF-8">
    </head>
    <body class="theme-default aui-theme-default">
        <div id="page">
            <div id="main" class="aui-page-panel">
                <div id="main-header">
                    <div id="breadcrumb-section"><ol id="breadcrumbs">
${breadcrumbs}
                    </ol></div>
                    <h1 id="title-heading" class="pagetitle"><span id="title-text">${space.name} : ${escapeHtml(page.title)}</span></h1>
                </div>
                <div id="content" class="view">
                    <div class="page-metadata">Created by <span class='author'> ${page.author}</span>, last modified on ${page.modified}</div>
                    <div id="main-content" class="wiki-content group">
${page.body}
                    </div>
${attachments}
                </div>
            </div>
            <div id="footer" role="contentinfo"><section class="footer-body"><p>Document generated by Confluence on Mar 05, 2026 10:12</p></section></div>
        </div>
    </body>
</html>
`;
}

function indexHtml(): string {
  const tree = (parent: number | null): string => {
    const children = wiki.filter((p) => p.parent === parent);
    return children.length ? `<ul>${children.map((c) => `<li><a href="${fileName(c)}">${escapeHtml(c.title)}</a>${tree(c.id)}</li>`).join('')}</ul>` : '';
  };
  return `<!DOCTYPE html>
<html><head><title>${space.key} (${space.name})</title><META http-equiv="Content-Type" content="text/html; charset=UTF-8"></head>
<body class="theme-default aui-theme-default"><div id="page"><div id="main" class="aui-page-panel">
<div id="main-header"><h1 id="title-heading" class="pagetitle"><span id="title-text">Space Details:</span></h1></div>
<div id="content"><div id="main-content" class="pageSection"><table class="confluenceTable">
<tr><th class="confluenceTh">Key</th><td class="confluenceTd">${space.key}</td></tr>
<tr><th class="confluenceTh">Name</th><td class="confluenceTd">${space.name}</td></tr>
</table></div>
<div class="pageSection"><div class="pageSectionHeader"><h2 class="pageSectionTitle">Available Pages:</h2></div>${tree(null)}</div>
</div></div></div></body></html>
`;
}

async function writeZip(file: string, entries: Record<string, string | Buffer>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { mtime: fixedDate });
  zip.end();
  const parts: Buffer[] = [];
  for await (const part of zip.outputStream) parts.push(part as Buffer);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat(parts));
}

async function buildConfluence(): Promise<void> {
  const entries: Record<string, string> = { [`${space.key}/index.html`]: indexHtml() };
  for (const page of wiki) {
    entries[`${space.key}/${fileName(page)}`] = pageHtml(page);
    for (const a of page.attachments ?? []) entries[`${space.key}/attachments/${page.id}/${a.id}.${a.name.split('.').pop()}`] = a.content;
  }
  await writeZip(path.join(samples, 'confluence/Confluence-space-export-ENG.html.zip'), entries);
}

// ---------- SharePoint export ----------

const textPart = (order: number, html: string) =>
  `<pnp:CanvasControl WebPartType="Text" ControlId="00000000-0000-0000-0000-00000000000${order}" Order="${order}" Column="1"><pnp:CanvasControlProperties><pnp:CanvasControlProperty Key="Text" Value="${escapeHtml(html)}"/></pnp:CanvasControlProperties></pnp:CanvasControl>`;

const pnpTemplate = `<?xml version="1.0"?>
<pnp:Provisioning xmlns:pnp="http://schemas.dev.office.com/PnP/2021/03/ProvisioningSchema">
  <pnp:Preferences Generator="PnP.Framework, Version=1.14.0.0" />
  <pnp:Templates ID="CONTAINER-TEMPLATE-INTRANET">
    <pnp:ProvisioningTemplate ID="TEMPLATE-INTRANET" Version="1" BaseSiteTemplate="SITEPAGEPUBLISHING#0" Scope="RootSite">
      <pnp:ClientSidePages>
        <pnp:ClientSidePage PageName="Home.aspx" Title="{localization:HomeTitle}" Layout="Home" PromoteAsNewsArticle="false" Overwrite="true">
          <pnp:Sections>
            <pnp:Section Order="1" Type="OneColumn"><pnp:Controls>
              ${textPart(1, '<h2>Welcome</h2><p>This is the Brightpath intranet. Company news, office information and the document library live here.</p>')}
              <pnp:CanvasControl WebPartType="News" ControlId="11111111-0000-0000-0000-000000000001" Order="2" Column="1" JsonControlData="{}"/>
            </pnp:Controls></pnp:Section>
          </pnp:Sections>
        </pnp:ClientSidePage>
        <pnp:ClientSidePage PageName="Canteen.aspx" Title="Canteen and kitchens" Layout="Article" PromoteAsNewsArticle="false" Overwrite="true">
          <pnp:Sections>
            <pnp:Section Order="1" Type="OneColumn"><pnp:Controls>
              ${textPart(1, '<h2>Berlin canteen</h2><p>The canteen on the ground floor is open from 11:30 to 14:00. Lunch is subsidised: employees pay 4.50 EUR per meal with their badge.</p><h2>Kitchens</h2><p>Every floor has a kitchen with free coffee, tea and fruit. Please empty the dishwasher when it is clean.</p>')}
            </pnp:Controls></pnp:Section>
          </pnp:Sections>
        </pnp:ClientSidePage>
        <pnp:ClientSidePage PageName="New-Wi-Fi-in-Berlin.aspx" Title="New Wi-Fi in the Berlin office" Layout="Article" PromoteAsNewsArticle="true" Overwrite="true">
          <pnp:Sections>
            <pnp:Section Order="1" Type="OneColumn"><pnp:Controls>
              ${textPart(1, '<p>From 1 April the Berlin office Wi-Fi moves to Brightpath-Staff with certificate login. {localization:WifiHelp}</p>')}
            </pnp:Controls></pnp:Section>
          </pnp:Sections>
        </pnp:ClientSidePage>
      </pnp:ClientSidePages>
    </pnp:ProvisioningTemplate>
  </pnp:Templates>
</pnp:Provisioning>
`;

const resx = `<?xml version="1.0" encoding="utf-8"?>
<root>
  <resheader name="resmimetype"><value>text/microsoft-resx</value></resheader>
  <data name="HomeTitle" xml:space="preserve"><value>Brightpath intranet</value></data>
  <data name="WifiHelp" xml:space="preserve"><value>Your laptop receives the certificate automatically; phones need the Company Portal app.</value></data>
</root>
`;

function modernPage(title: string, published: string, canvasHtml: string): string {
  const canvas = `<div><div data-sp-canvascontrol="" data-sp-canvasdataversion="1.0" data-sp-controldata="{&quot;controlType&quot;:4,&quot;id&quot;:&quot;1&quot;}"><div data-sp-rte="">${canvasHtml}</div></div></div>`;
  return `<%@ Page language="C#" MasterPageFile="~masterurl/default.master" Inherits="Microsoft.SharePoint.WebPartPages.WebPartPage,Microsoft.SharePoint,Version=16.0.0.0,Culture=neutral,PublicKeyToken=71e9bce111e9429c" %>
<html xmlns:mso="urn:schemas-microsoft-com:office:office" xmlns:msdt="uuid:C2F41010-65B3-11d1-A29F-00AA00C14882"><head>
<!--[if gte mso 9]><SharePoint:CTFieldRefs runat=server Prefix="mso:" FieldList="FileLeafRef,Title,CanvasContent1"><xml>
<mso:CustomDocumentProperties>
<mso:ContentTypeId msdt:dt="string">0x0101009D1CB255DA76424F860D91F20E6C4118</mso:ContentTypeId>
<mso:Title msdt:dt="string">${escapeHtml(title)}</mso:Title>
<mso:PromotedState msdt:dt="string">0</mso:PromotedState>
<mso:FirstPublishedDate msdt:dt="string">${published}</mso:FirstPublishedDate>
<mso:CanvasContent1 msdt:dt="string">${escapeHtml(canvas)}</mso:CanvasContent1>
</mso:CustomDocumentProperties>
</xml></SharePoint:CTFieldRefs><![endif]-->
<title>${escapeHtml(title)}</title></head>
<body></body></html>
`;
}

async function benefitsDocx(): Promise<Buffer> {
  const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] });
  return Packer.toBuffer(
    new Document({
      title: 'Benefits overview',
      sections: [
        {
          children: [
            new Paragraph({ text: 'Benefits overview', heading: HeadingLevel.HEADING_1 }),
            new Paragraph('Brightpath offers the following benefits to permanent employees in Germany and China.'),
            new Paragraph({ text: 'Benefits by country', heading: HeadingLevel.HEADING_2 }),
            new Table({
              rows: [
                new TableRow({ children: [cell('Benefit'), cell('Germany'), cell('China')], tableHeader: true }),
                new TableRow({ children: [cell('Public transport ticket'), cell('Deutschlandticket paid in full'), cell('Transport allowance of 300 CNY per month')] }),
                new TableRow({ children: [cell('Gym'), cell('Urban Sports Club subsidy of 30 EUR per month'), cell('Gym card subsidy of 200 CNY per month')] }),
                new TableRow({ children: [cell('Pension'), cell('Company pension with 20 % employer top-up'), cell('Supplementary pension plan')] }),
              ],
            }),
            new Paragraph({ text: 'How to enrol', heading: HeadingLevel.HEADING_2 }),
            new Paragraph('Enrol in Personio under Benefits within 30 days of your start date.'),
          ],
        },
      ],
    }),
  );
}

async function holidaysXlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.title = 'Public holidays 2027';
  workbook.created = fixedDate;
  workbook.modified = fixedDate;
  const berlin = workbook.addWorksheet('Berlin');
  berlin.addRows([['Date', 'Holiday'], ['2027-01-01', "New Year's Day"], ['2027-03-08', "International Women's Day"], ['2027-03-26', 'Good Friday'], ['2027-10-03', 'Day of German Unity'], ['2027-12-25', 'Christmas Day']]);
  const shanghai = workbook.addWorksheet('Shanghai');
  shanghai.addRows([['日期', '节日'], ['2027-01-01', '元旦'], ['2027-02-06 至 2027-02-12', '春节'], ['2027-04-05', '清明节'], ['2027-10-01 至 2027-10-07', '国庆节']]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function buildSharePoint(): Promise<void> {
  const root = path.join(samples, 'sharepoint');
  fs.rmSync(root, { recursive: true, force: true });
  const files: Record<string, string | Buffer> = {
    'intranet-template.xml': pnpTemplate,
    'resources.en-us.resx': resx,
    'SitePages/Office-security.aspx': modernPage(
      'Office security',
      '2026-02-10T08:00:00Z',
      '<h2>Badges</h2><p>Wear your badge visibly in all offices. Visitors sign in at reception and are accompanied at all times.</p><h2>Lost badge</h2><p>Report a lost badge to reception on ext. 100 the same day; a replacement costs nothing the first time.</p>',
    ),
    'Shared Documents/Benefits overview.docx': await benefitsDocx(),
    'Shared Documents/Public holidays 2027.xlsx': await holidaysXlsx(),
    'Shared Documents/children.json': `${JSON.stringify(
      {
        value: [
          { name: 'Benefits overview.docx', size: 0, file: { mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }, webUrl: 'https://brightpath.sharepoint.example/sites/intranet/Shared%20Documents/Benefits%20overview.docx', lastModifiedDateTime: '2026-01-15T10:30:00Z', lastModifiedBy: { user: { displayName: 'Mei Chen' } } },
          { name: 'Public holidays 2027.xlsx', size: 0, file: { mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, webUrl: 'https://brightpath.sharepoint.example/sites/intranet/Shared%20Documents/Public%20holidays%202027.xlsx', lastModifiedDateTime: '2026-02-01T08:00:00Z', lastModifiedBy: { user: { displayName: 'Jonas Weber' } } },
        ],
      },
      null,
      2,
    )}\n`,
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
}

await buildConfluence();
await buildSharePoint();
console.log(`sample exports written under ${samples}`);
