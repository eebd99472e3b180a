import { openTestStore } from '../helpers.js';
import { checkReplaceProtocol } from './replace-protocol.js';

describe('replacing a document in groundwork.db, step by step (SqlitePassageIndex with SqliteCatalogue)', () => {
  checkReplaceProtocol(async () => openTestStore());
});
