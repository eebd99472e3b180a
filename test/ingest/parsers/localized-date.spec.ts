import assert from 'node:assert/strict';
import { parseLocalizedDate } from '../../../src/ingest/parsers/localized-date.js';

describe('parseLocalizedDate', () => {
  it('reads English and Chinese Confluence dates', () => {
    assert.deepEqual(parseLocalizedDate('Created by admin, last modified on Mar 04, 2026'), new Date('2026-03-04T00:00:00Z'));
    assert.deepEqual(parseLocalizedDate('last modified on September 4, 2025'), new Date('2025-09-04T00:00:00Z'));
    assert.deepEqual(parseLocalizedDate('Created by admin, last modified on 七月 25, 2021'), new Date('2021-07-25T00:00:00Z'));
    assert.deepEqual(parseLocalizedDate('最后修改于 十二月 01, 2020'), new Date('2020-12-01T00:00:00Z'));
    assert.deepEqual(parseLocalizedDate('修改于 7月 5, 2021'), new Date('2021-07-05T00:00:00Z'));
  });

  it('takes the last date (the modification) and returns null when there is none', () => {
    assert.deepEqual(parseLocalizedDate('Created by a on Jan 02, 2020, last modified by b on Feb 03, 2021'), new Date('2021-02-03T00:00:00Z'));
    assert.equal(parseLocalizedDate('Created by admin'), null);
  });
});
