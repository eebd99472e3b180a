import { pino, type Logger } from 'pino';

export type { Logger };

/** The one root logger; components get `logger.child({ component })`. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'groundwork' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.apiKey', '*.secret'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
