import sinon from 'sinon';
import { openSqliteStore } from '../../src/index/sqlite-store.js';
import { describeCatalogue } from './catalogue-contract.js';

// The SQLite catalogue reads the time from Date: a fake Date is its clock.
describeCatalogue('SqliteCatalogue', async () => {
  const clock = sinon.useFakeTimers({ now: new Date('2025-03-01T09:00:00Z'), toFake: ['Date'] });
  const store = openSqliteStore(':memory:');
  return {
    catalogue: store.catalogue,
    advance: (ms) => void clock.tick(ms),
    close: async () => {
      store.close();
      clock.restore();
    },
  };
});
