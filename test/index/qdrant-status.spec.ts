// `groundwork status` with QDRANT_URL: the URL, the alias and its collection, the point count, the
// dense vector size, and a clear line when Qdrant does not answer (the exit code as before).
import assert from 'node:assert/strict';
import { folderWith, groundwork, tempDir } from '../helpers.js';
import { useQdrantFake } from '../fakes/qdrant-suite.js';

describe('groundwork status with Qdrant', function () {
  this.timeout(60_000);
  const fake = useQdrantFake();

  it('shows the URL, the alias, the collection behind it, its points and vectors; and a clear line when Qdrant is down', async () => {
    const folder = folderWith({ 'leave.md': '# Leave\n\nEmployees get 28 days of annual leave.' });
    const env = { GROUNDWORK_DATA_DIR: tempDir(), GROUNDWORK_SOURCES: `docs=folder:${folder}`, QDRANT_URL: fake().url, QDRANT_COLLECTION: 'status' };
    const before = await groundwork(['status'], env);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, new RegExp(`^Qdrant: ${fake().url}, alias status-passages: no collection yet \\(the next sync creates it\\)$`, 'm'));

    assert.equal((await groundwork(['sync'], env)).code, 0);
    const after = await groundwork(['status'], env);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, new RegExp(`^Qdrant: ${fake().url}, alias status-passages -> collection status-passages-1, 2 points, no dense vectors$`, 'm'));

    await fake().stop();
    try {
      const down = await groundwork(['status'], env);
      assert.match(down.stdout, new RegExp(`^Qdrant: ${fake().url} is not reachable: Qdrant at ${fake().url} cannot be reached \\(ECONNREFUSED\\) while reading the aliases$`, 'm'));
      assert.equal(down.code, (await groundwork(['sync'], env)).code, 'the exit code of an unavailable index, as any command');
      assert.notEqual(down.code, 0);
    } finally {
      await fake().start();
    }
  });
});
