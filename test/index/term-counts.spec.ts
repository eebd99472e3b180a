import assert from 'node:assert/strict';
import { TermCounts } from '../../src/index/term-counts.js';

describe('TermCounts', () => {
  it('counts each term, reads back from its stored form, and tells a term from one that starts like it', () => {
    const counts = TermCounts.parse(TermCounts.of(['vpn', 'client', 'vpn', '10:30', 'vpnx']).toString());
    assert.deepEqual([counts.count('vpn'), counts.count('client'), counts.count('vpnx'), counts.count('10:30'), counts.count('10'), counts.count('missing')], [2, 1, 1, 1, 0, 0]);
    assert.deepEqual([...counts.terms()], ['vpn', 'client', '10:30', 'vpnx']);
  });
});
