// Waiting for something a fake records, without polling: the check runs now and each time the
// recorder says something happened; a real timer ends the wait (fake Dates do not move it).
import type { EventEmitter } from 'node:events';

export function until<T>(events: EventEmitter, event: string, check: () => T | null | undefined | false, describe: () => string, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const attempt = () => {
      const found = check();
      if (!found) return;
      done();
      resolve(found);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(describe()));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      events.off(event, attempt);
    };
    events.on(event, attempt);
    attempt();
  });
}
