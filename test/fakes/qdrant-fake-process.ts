// Starts the Qdrant fake in a child process: it outlives a client that is killed (crash tests),
// and its CPU time is not the client's (benches).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface QdrantFakeProcess {
  url: string;
  child: ChildProcess;
  /** Closes its stdin and waits for it to exit. */
  stop(): Promise<void>;
}

export async function startQdrantFakeProcess(): Promise<QdrantFakeProcess> {
  const script = fileURLToPath(new URL('./qdrant-fake-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the Qdrant fake exited (${code})`)));
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    },
  };
}
