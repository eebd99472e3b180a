// Replicas searching one Qdrant collection share the term statistics in PostgreSQL: the whole
// passage-index contract runs on QdrantIndex (on the Qdrant fake) with the PostgreSQL catalogue
// and term statistics, as it runs with groundwork.db's.
import { PostgresCatalogue } from '../../src/catalogue/postgres-catalogue.js';
import { PostgresTermStatistics } from '../../src/catalogue/postgres-term-statistics.js';
import { QdrantIndex } from '../../src/index/qdrant-index.js';
import { useQdrantFake } from '../fakes/qdrant-suite.js';
import { describePassageIndex } from '../index/passage-index-conformance.js';
import { createTestSchema, skipWithoutPostgres } from './postgres-test-schema.js';

describe('QdrantIndex with the PostgreSQL catalogue and term statistics', function () {
  this.timeout(60_000);
  let collections = 0;
  before(skipWithoutPostgres);
  const fake = useQdrantFake();

  describePassageIndex('QdrantIndex with PostgresCatalogue and PostgresTermStatistics', async () => {
    const schema = await createTestSchema();
    const db = schema.open();
    const catalogue = new PostgresCatalogue(db);
    const index = new QdrantIndex(
      { url: fake().url, apiKey: null, collectionPrefix: `pg-${process.pid}-${++collections}`, timeoutMs: 10_000 },
      { catalogue, termStatistics: new PostgresTermStatistics(db) },
    );
    return { index, catalogue, close: () => schema.drop() };
  });
});
