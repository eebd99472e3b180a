import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FakeOpenAI } from '../fakes/openai-server.js';
import { folderWith, groundwork, tempDir } from '../helpers.js';

describe('groundwork eval', function () {
  this.timeout(60000);
  const docs = folderWith({
    'it/vpn.md': '# VPN\n\nThe VPN client is GlobalProtect; connect to portal vpn.example.com with your company account.\n',
    'office/badges.md': '# Office access\n\nLost building badges are replaced by the security desk in lobby C for a fee of 15 euros.\n',
    'hr/leave.md': '# Leave\n\nEmployees get 28 days of annual leave. Unused days expire on 31 March.\n',
  });
  const env = { GROUNDWORK_DATA_DIR: tempDir('groundwork-eval-'), GROUNDWORK_SOURCES: `docs=folder:${docs}` };
  const questions = path.join(tempDir(), 'questions.jsonl');
  fs.writeFileSync(
    questions,
    [
      { id: 'vpn', question: 'which VPN client do we use?', expect_files: ['it/vpn.md'], answer_facts: ['GlobalProtect'], kind: 'casual' },
      { id: 'badge', question: 'I lost my badge, where do I get a new one?', expect_files: ['office/badges.md'], answer_facts: ['lobby C'], must_not: ['28 days'], kind: 'casual' },
      { id: 'leave', question: 'how many days of annual leave do i get', expect_files: ['hr/leave.md'], answer_facts: ['28 days'], kind: 'short' },
      { id: 'dental', question: "what's the dental plan deductible", kind: 'near-miss' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n'),
  );

  before(async () => {
    assert.equal((await groundwork(['sync'], env)).code, 0);
  });

  it('reports ranking, outcomes, facts and latency as one JSON object', async () => {
    const { code, stdout, stderr } = await groundwork(['eval', '--questions', questions, '--json'], env);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as {
      k: number;
      overall: { questions: number; answerable: number; hit1: number; recall: number; falseRefusals: number; correctRefusals: number; factCoverage: number; p95Ms: number; answered: Record<string, number> };
      byKind: Record<string, { questions: number }>;
      byLang: Record<string, { questions: number }>;
      results: Array<{ id: string; confidence: string; ranking: { hit1: number } | null; violations: string[] }>;
    };
    assert.equal(report.k, 5);
    assert.deepEqual([report.overall.questions, report.overall.answerable], [4, 3]);
    assert.equal(report.overall.hit1, 1);
    assert.equal(report.overall.recall, 1);
    assert.equal(report.overall.answered.none, 0);
    assert.equal(report.overall.correctRefusals, 1);
    assert.equal(report.overall.factCoverage, 1);
    assert.ok(report.overall.p95Ms > 0);
    assert.deepEqual(Object.keys(report.byKind), ['casual', 'near-miss', 'short']);
    assert.deepEqual(Object.keys(report.byLang), ['en']);
    assert.deepEqual(
      report.results.map((r) => [r.id, r.confidence]),
      [
        ['vpn', 'answer'],
        ['badge', 'answer'],
        ['leave', 'answer'],
        ['dental', 'none'],
      ],
    );
  });

  it('prints a table for people and passes the thresholds it meets', async () => {
    const table = await groundwork(['eval', '-q', questions], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^\s+questions\s+answerable\s+recall@5\s+MRR\s+nDCG@10/);
    assert.match(table.stdout, /\nall\s+4\s+3\s+1\.00\s+1\.00\s+1\.00\s+100%/);
    assert.match(table.stdout, /\nkind near-miss\s+1\s+0\s+100% of 1/);
    const strict = await groundwork(['eval', '-q', questions, '--k', '1', '--min-recall', '0.5', '--min-refused', '1', '--max-false-refusals', '0'], env);
    assert.equal(strict.code, 0, strict.stderr);
    const failing = await groundwork(['eval', '-q', questions, '--min-refused', '1', '--min-mrr', '1.01'], env);
    assert.equal(failing.code, 2, 'a threshold over 1 is a usage error');
  });

  it('fails with the file and line of a malformed question, and on an empty index', async () => {
    const bad = path.join(tempDir(), 'bad.jsonl');
    fs.writeFileSync(bad, '{"id": "a", "question": "x"}\n{"id": "b", "questoin": "y"}\n');
    const malformed = await groundwork(['eval', '-q', bad], env);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /bad\.jsonl:2: .*questoin/);
    const missing = await groundwork(['eval', '-q', path.join(tempDir(), 'nope.jsonl')], env);
    assert.deepEqual([missing.code, /nope\.jsonl: cannot be read \(ENOENT\)/.test(missing.stderr)], [2, true]);
    const empty = await groundwork(['eval', '-q', questions], { ...env, GROUNDWORK_DATA_DIR: tempDir() });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /The index is empty: run "groundwork sync" first/);
  });

  it('prints the similarity floor that the questions support for the embedding model, and needs one to do so', async () => {
    const withoutModel = await groundwork(['eval', '-q', questions, '--calibrate'], env);
    assert.equal(withoutModel.code, 2);
    assert.match(withoutModel.stderr, /--calibrate needs an embedding model/);
    const fake = await new FakeOpenAI().start();
    try {
      const embedded = { GROUNDWORK_DATA_DIR: tempDir('groundwork-eval-vectors-'), GROUNDWORK_SOURCES: env.GROUNDWORK_SOURCES, EMBEDDING_BASE_URL: `${fake.url}/v1` };
      assert.equal((await groundwork(['sync'], embedded)).code, 0);
      const { code, stdout, stderr } = await groundwork(['eval', '-q', questions, '--calibrate'], embedded);
      assert.equal(code, 0, stderr);
      const floor = /Similarity floor for text-embedding-3-small: RETRIEVAL_MIN_SIMILARITY=([\d.]+) \(over 3 answerable and 1 unanswerable questions\)/.exec(stdout);
      assert.ok(floor, stdout);
      assert.ok(Number(floor[1]) > 0 && Number(floor[1]) <= 1);
      assert.match(stdout, /\n {2}0\.50: \d+% of answerable above, \d+% of unanswerable below/);
      const json = JSON.parse((await groundwork(['eval', '-q', questions, '--calibrate', '--json'], embedded)).stdout) as { calibration: { floor: number } };
      assert.equal(json.calibration.floor, Number(floor[1]));
    } finally {
      await fake.stop();
    }
  });

  it('exits 1 below a threshold, naming it', async () => {
    const hard = path.join(tempDir(), 'hard.jsonl');
    fs.writeFileSync(hard, `${JSON.stringify({ id: 'x', question: 'who won the football world cup', expect_files: ['hr/leave.md'] })}\n`);
    const { code, stderr } = await groundwork(['eval', '-q', hard, '--min-recall', '0.9', '--max-false-refusals', '0.5'], env);
    assert.equal(code, 1);
    assert.match(stderr, /groundwork eval: recall@5 0\.000 is below 0\.9; false refusals 1\.000 are above 0\.5/);
  });
});
