import assert from 'node:assert/strict';
import type { DocumentInfo } from '../../src/domain.js';
import { markedSuperseded, replacedByNewer, titleStem } from '../../src/retrieval/superseded.js';

const doc = (id: string, title: string, updatedAt: string, source = 'wiki'): DocumentInfo => ({ id, source, path: `${id}.md`, title, url: null, updatedAt: new Date(updatedAt), superseded: false, readers: ['everyone'] });

describe('markedSuperseded', () => {
  it('reads the title, the folders, the labels and the export status, in English and Chinese', () => {
    assert.equal(markedSuperseded({ title: 'Release process 2024 (superseded)', path: 'a.md' }), true);
    assert.equal(markedSuperseded({ title: 'Travel policy', path: 'archive/2023/travel.md' }), true);
    assert.equal(markedSuperseded({ title: 'Travel policy', path: 'travel.md', labels: ['deprecated'] }), true);
    assert.equal(markedSuperseded({ title: 'Travel policy', path: 'travel.md', status: 'archived' }), true);
    assert.equal(markedSuperseded({ title: '报销流程（已废弃）', path: 'a.md' }), true);
    assert.equal(markedSuperseded({ title: '旧版请假制度', path: 'a.md' }), true);
    assert.equal(markedSuperseded({ title: 'Release process', path: 'engineering/release.md', labels: ['release'], status: 'current' }), false);
  });
});

describe('replacedByNewer', () => {
  it('finds the older of two pages whose titles differ only by a year, a version or a status word', () => {
    assert.equal(titleStem('Release process 2024 (superseded)'), 'release process');
    const replaced = replacedByNewer([doc('old', 'Release process 2024 (superseded)', '2024-02-05'), doc('new', 'Release Process', '2026-11-18'), doc('v1', 'Travel policy v1.2', '2025-01-01'), doc('v2', 'Travel policy v2', '2026-01-01')]);
    assert.deepEqual([...replaced].sort(), ['old', 'v1']);
  });

  it('leaves pages with identical titles, other sources and undated pages alone', () => {
    const replaced = replacedByNewer([
      doc('a', 'Super Bowl 50', '2026-01-01'),
      doc('b', 'Super Bowl 50', '2026-01-02'),
      doc('c', 'Onboarding 2025', '2025-01-01', 'hr'),
      doc('d', 'Onboarding', '2026-01-01', 'it'),
      { ...doc('e', 'Leave 2024', '2024-01-01'), updatedAt: null },
      doc('f', 'Leave', '2026-01-01'),
    ]);
    assert.deepEqual([...replaced], []);
  });
});
