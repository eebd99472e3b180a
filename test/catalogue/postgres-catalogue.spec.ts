import { PostgresCatalogue } from '../../src/catalogue/postgres-catalogue.js';
import { describeCatalogue } from './catalogue-contract.js';
import { createTestSchema, manualClock, skipWithoutPostgres } from './postgres-test-schema.js';

describe('on PostgreSQL', function () {
  before(skipWithoutPostgres);

  describeCatalogue('PostgresCatalogue', async () => {
    const schema = await createTestSchema();
    const clock = manualClock();
    return {
      catalogue: new PostgresCatalogue(schema.open(), clock.now),
      advance: clock.advance,
      close: () => schema.drop(),
    };
  });
});
