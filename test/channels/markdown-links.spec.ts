import assert from 'node:assert/strict';
import { markdownLinkTarget, withoutUnsafeLinks } from '../../src/channels/markdown-links.js';

describe('withoutUnsafeLinks', () => {
  it('escapes every inline link, definition and autolink whose target is not http(s), and leaves http(s) ones alone', () => {
    const cases: Array<[string, string]> = [
      ['[a](javascript:alert(1))', '[a]\\(javascript:alert(1))'],
      ['[[1]](JavaScript:alert(1))', '[[1]]\\(JavaScript:alert(1))'],
      ['[a]( &#106;avascript:x)', '[a]\\( &#106;avascript:x)'],
      ['[a](data:text/html,x) and [b](/relative)', '[a]\\(data:text/html,x) and [b]\\(/relative)'],
      ['[1]: javascript:alert(1)\nUse [1].', '[1]\\: javascript:alert(1)\nUse [1].'],
      ['<javascript:alert(1)> and <https://ok.example/>', '\\<javascript:alert(1)\\> and <https://ok.example/>'],
      ['[a](https://ok.example/x) [b]( <HTTP://ok.example/>) [1]: https://ok.example/', '[a](https://ok.example/x) [b]( <HTTP://ok.example/>) [1]: https://ok.example/'],
      ['Plain text [1] with markers [2].', 'Plain text [1] with markers [2].'],
    ];
    for (const [markdown, expected] of cases) assert.equal(withoutUnsafeLinks(markdown), expected, markdown);
  });

  it('writes a link target with its parentheses and spaces encoded, and none for another scheme', () => {
    assert.equal(markdownLinkTarget('https://wiki.example.com/a (b)'), 'https://wiki.example.com/a%20%28b%29');
    assert.equal(markdownLinkTarget('javascript:alert(1)'), null);
    assert.equal(markdownLinkTarget(null), null);
  });
});
