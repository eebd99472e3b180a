import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { groundwork, handbookDir, repoRoot, tempDir } from '../helpers.js';

interface Gate {
  questions: string[];
  minRecall: number;
  maxFalseRefusals: number;
  minRefused: number;
}

const baseline = JSON.parse(fs.readFileSync(path.join(repoRoot, 'eval/baseline.json'), 'utf8')) as Record<'samples' | 'handbook', Gate>;

/** Syncs the sources, then runs groundwork eval on the committed questions with the committed thresholds. */
async function gate(name: 'samples' | 'handbook', sources: Record<string, string>) {
  const env = { GROUNDWORK_DATA_DIR: tempDir(`groundwork-gate-${name}-`), ...sources };
  const synced = await groundwork(['sync'], env);
  assert.equal(synced.code, 0, synced.stderr);
  const { minRecall, maxFalseRefusals, minRefused, questions } = baseline[name];
  const files = questions.map((file) => path.join(repoRoot, 'eval', file));
  const args = ['eval', '--min-recall', String(minRecall), '--max-false-refusals', String(maxFalseRefusals), '--min-refused', String(minRefused)];
  return groundwork([...args, ...files.flatMap((file) => ['-q', file])], env);
}

describe('answer quality gate (groundwork eval on the committed question sets)', function () {
  this.timeout(120000);

  it('holds the baseline on the bundled samples', async () => {
    const { code, stdout, stderr } = await gate('samples', {});
    assert.equal(code, 0, `${stderr}\n${stdout}`);
  });

  it('holds the baseline on the 18F handbook', async function () {
    if (!fs.existsSync(handbookDir)) this.skip();
    const { code, stdout, stderr } = await gate('handbook', { GROUNDWORK_SOURCES: `handbook=folder:${handbookDir}` });
    assert.equal(code, 0, `${stderr}\n${stdout}`);
  });
});
