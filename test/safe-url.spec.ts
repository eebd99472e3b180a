import assert from 'node:assert/strict';
import { safeUrl } from '../src/safe-url.js';

describe('safeUrl', () => {
  it('keeps absolute http(s) URLs and drops every other scheme, relative and malformed ones', () => {
    assert.equal(safeUrl('https://wiki.example.com/pages/viewpage.action?pageId=1'), 'https://wiki.example.com/pages/viewpage.action?pageId=1');
    assert.equal(safeUrl(' http://intranet.example/a b '), 'http://intranet.example/a%20b');
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', '//evil.example/x', '/documents/x', 'not a url', '', null, undefined]) {
      assert.equal(safeUrl(bad), null, String(bad));
    }
  });
});
