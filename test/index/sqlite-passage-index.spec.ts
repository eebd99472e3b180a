import { openTestStore } from '../helpers.js';
import { describePassageIndex } from './passage-index-conformance.js';

describePassageIndex('SqlitePassageIndex with SqliteCatalogue in groundwork.db', async () => {
  const store = openTestStore();
  return { index: store.index, catalogue: store.catalogue, atomically: store.atomically, close: () => store.close() };
});
