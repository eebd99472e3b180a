// Runs the Qdrant fake in a process of its own for bench/qdrant-index.ts, so that the bench's own
// CPU time is the client's side only; prints the fake's URL, stops when stdin closes.
import { startQdrantFake } from '../test/fakes/qdrant-server.js';

const fake = await startQdrantFake({ checkResponses: false });
process.stdout.write(`${fake.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => void fake.stop().then(() => process.exit(0)));
