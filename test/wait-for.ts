// Waiting for a positive signal (a request reached a fake server, a row was written) instead of
// sleeping for a guessed time. It keeps working under fake timers: it polls with the real
// setTimeout, taken before any test can replace it, and its deadline, which only turns a signal
// that never comes into a clear failure, is measured with performance.now.

const realSetTimeout = globalThis.setTimeout;

export async function waitFor(condition: () => boolean, what: string, { timeoutMs = 20_000, pollMs = 5 } = {}): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => realSetTimeout(resolve, pollMs));
  }
}
