import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { renderStorageFormat } from '../../../src/ingest/parsers/confluence-storage.js';
import { SectionBuilder } from '../../../src/ingest/parsers/parsed-document.js';
import { sharedData } from '../../helpers.js';

function render(storage: string): Array<[string, string]> {
  const builder = new SectionBuilder();
  renderStorageFormat(storage, builder);
  return builder.build().map((s) => [s.headingPath.join(' > '), s.text]);
}

describe('renderStorageFormat', () => {
  it('renders macros as a reader sees them', () => {
    const storage = `<h1>VPN</h1>
<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>Left&nbsp;cell.</p></ac:layout-cell><ac:layout-cell><p>Right cell.</p></ac:layout-cell></ac:layout-section></ac:layout>
<ac:structured-macro ac:name="warning"><ac:parameter ac:name="title">Careful</ac:parameter><ac:rich-text-body><p>Never share your profile.</p></ac:rich-text-body></ac:structured-macro>
<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[wg-quick up <profile>]]></ac:plain-text-body></ac:structured-macro>
<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Troubleshooting</ac:parameter><ac:rich-text-body><p>Check the clock.</p></ac:rich-text-body></ac:structured-macro>
<p>See <ac:link><ri:page ri:content-title="Laptops" /></ac:link> and <ac:link><ri:page ri:content-title="X" /><ac:plain-text-link-body><![CDATA[the help desk]]></ac:plain-text-link-body></ac:link>.</p>
<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>Request a profile</ac:task-body></ac:task></ac:task-list>
<p><ac:placeholder>Type here</ac:placeholder><ac:image><ri:attachment ri:filename="a.png" /></ac:image><ac:structured-macro ac:name="toc" /></p>`;
    assert.deepEqual(render(storage), [
      [
        'VPN',
        [
          'Left cell.',
          'Right cell.',
          'Warning: Careful',
          'Never share your profile.',
          'wg-quick up <profile>',
          'Troubleshooting',
          'Check the clock.',
          'See Laptops and the help desk.',
          '- Request a profile',
        ].join('\n'),
      ],
    ]);
  });

  it('reads a real storage-format page with its DOCTYPE, entities and code macros', function () {
    const file = path.join(sharedData, 'confluence/storage-format/jsonix-wiki/Introduction.xml');
    if (!fs.existsSync(file)) this.skip();
    const sections = render(fs.readFileSync(file, 'utf8'));
    assert.equal(sections[0]![0], 'Introduction');
    assert.match(sections[0]![1], /^Tip:\nTake a look at this question on Stackoverflow which incepted the development of Jsonix\.\nJsonix \(JSON interfaces for XML\) is a JavaScript library/);
  });
});
