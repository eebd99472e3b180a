// The Qdrant fake in a process of its own (started by startQdrantFakeProcess): prints its URL,
// stops when stdin closes.
import { startQdrantFake } from './qdrant-server.js';

const fake = await startQdrantFake({ checkResponses: false });
process.stdout.write(`${fake.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => void fake.stop().then(() => process.exit(0)));
