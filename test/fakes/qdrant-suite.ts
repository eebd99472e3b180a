// The Qdrant fake for a whole mocha suite: started before its tests, checked and stopped after them.
import assert from 'node:assert/strict';
import { qdrantOpenApiAvailable, qdrantOpenApiPath, startQdrantFake, type QdrantFake, type QdrantFakeOptions } from './qdrant-server.js';

/**
 * Registers `before`/`after` hooks in the calling `describe`: the `before` hook skips the suite (saying why)
 * when Qdrant's OpenAPI document is absent and otherwise starts the fake; the `after` hook stops it and
 * asserts that no request was rejected with a 400 (a body or query the schema refuses, or a value Qdrant
 * would refuse, such as a vector of the wrong size). An answer of the fake's that breaks the response
 * schema is a 500, which the tests see themselves. Returns the running fake; call it in hooks and tests only.
 *
 * Mocha runs hooks in registration order: call this before the `before` hooks that use the fake, and after
 * the `after` hooks that must finish while it still answers (a service on it stopping first).
 */
export function useQdrantFake(options: QdrantFakeOptions = {}): () => QdrantFake {
  let fake: QdrantFake | undefined;
  before(async function () {
    if (!qdrantOpenApiAvailable()) {
      console.log(`    (skipped: Qdrant's OpenAPI document is not at ${qdrantOpenApiPath})`);
      this.skip();
    }
    fake = await startQdrantFake(options);
  });
  after(async () => {
    if (!fake) return;
    const rejected = fake.requests.filter((r) => r.rejected && r.status === 400).map((r) => `${r.method} ${r.path}: ${r.rejected}`);
    await fake.stop();
    assert.deepEqual(rejected, []);
  });
  return () => fake ?? assert.fail('the Qdrant fake is not running (it starts in the suite\'s before hook)');
}
