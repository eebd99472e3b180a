// One company's documents under access rules, shared by the tests of every channel: a salary band
// page only HR (and the HR channels) may read, a salary review page everyone may read, and the
// question both answer differently. The secret's words must never reach anyone outside HR.
import fs from 'node:fs';
import path from 'node:path';
import { folderWith, tempDir } from '../helpers.js';

export const secret = '85,000';
export const question = 'What is the salary band for a level 3 engineer?';
export const people = {
  slack: { hr: 'UHR00001', other: 'UOTHER01' },
  teams: { hr: '00000000-0000-0000-0000-0000000000a1', other: '00000000-0000-0000-0000-0000000000b2' },
};
export const places = {
  slack: { general: 'CGENERAL', hrChannel: 'CHRTEAM1', itHelp: 'CITHELP1' },
  teams: { generalChannel: '19:general@thread.tacv2', hrChannel: '19:hrteam@thread.tacv2', team: '19:team@thread.tacv2' },
};

/** The documents folders (HR and handbook pages; the IT pages, which #it-help answers from; legal pages only HR may read), an access file over them, and the environment that serves them. */
export function accessSetup(): { env: Record<string, string>; accessFile: string; docs: string } {
  const docs = folderWith({
    'handbook/salary-reviews.md':
      '# Salary reviews\n\nSalary reviews happen every April. At the review your manager explains the salary band of your level and where you stand in it.\n',
    'handbook/travel.md': '# Travel\n\nBook trains for trips under five hours. Flights need the approval of your manager.\n',
    'hr/salary-bands.md': `# Salary bands\n\nThe salary band for a level 3 engineer is ${secret} to 95,000 euros a year. The salary band for a level 4 engineer is 96,000 to 110,000 euros a year.\n`,
  });
  const it = folderWith({ 'vpn.md': '# VPN\n\nWe use WireGuard as our VPN client. Install it from the self-service portal.\n' });
  const legal = folderWith({ 'contracts.md': '# Supplier contracts\n\nThe cleaning contract with Sparkle Ltd runs until 2028.\n' });
  const accessFile = path.join(tempDir('groundwork-access-'), 'access.yaml');
  fs.writeFileSync(
    accessFile,
    [
      'default: everyone',
      'groups:',
      `  hr: [slack:${people.slack.hr}, teams:${people.teams.hr}]`,
      'rules:',
      '  - source: docs',
      '    path: "hr/**"',
      `    readers: [group:hr, slack-channel:${places.slack.hrChannel}, "teams-channel:${places.teams.hrChannel}"]`,
      '  - source: legal',
      '    readers: [group:hr]',
      'channels:',
      `  slack-channel:${places.slack.itHelp}: [it]`,
      '',
    ].join('\n'),
  );
  return { env: { GROUNDWORK_SOURCES: `docs=folder:${docs},it=folder:${it},legal=folder:${legal}`, ACCESS_FILE: accessFile }, accessFile, docs };
}
