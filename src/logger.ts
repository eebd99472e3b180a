import tty from 'node:tty';
import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type { Logger };

// Names of URL and form parameters that carry secrets: tokens, keys, passwords, signatures, codes.
const secretParameter = /(?:token|key|secret|passw|pwd|sig|code|auth|session|jwt|credential)/i;
const urlParameter = /([?&;])([^=&?#;\s"\\]+)=([^&#;\s"\\]*)/g;
// In a serialized line, a form body ("client_secret=…&…") starts after a quote, not after "?" or "&".
const lineParameter = /([?&;"])([^=&?#;\s"\\]+)=([^&#;\s"\\]*)/g;

function redactParameters(text: string, pattern: RegExp): string {
  return text.replace(pattern, (whole, separator: string, name: string) => (secretParameter.test(name) ? `${separator}${name}=[redacted]` : whole));
}

/** The URL with the values of its secret query parameters replaced. */
export function redactUrl(url: string): string {
  return redactParameters(url, urlParameter);
}

// The last line of defence, over each serialized line: secrets in shapes recognisable wherever
// they appear (a library's error that carries its request headers, a URL inside a message).
const secretShapes: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  [/\bx(?:ox[abposre]|app)-[\w-]+/g, '[redacted]'],
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '[redacted]'],
];

function redactLine(line: string): string {
  return secretShapes.reduce((text, [shape, replacement]) => text.replace(shape, replacement), redactParameters(line, lineParameter));
}

export interface LoggerOptions {
  /** Human-readable lines instead of JSON; by default when the lines go to a terminal. */
  pretty?: boolean;
}

/**
 * The one root logger; components get `logger.child({ component })`. Lines go to `destination`
 * (stdout when none is given) as JSON, or, for a person at a terminal, as readable lines.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  const fd = destination === undefined ? 1 : (destination as { fd?: unknown }).fd;
  const terminal = typeof fd === 'number' && tty.isatty(fd);
  const pretty = options.pretty ?? terminal;
  // Redaction (streamWrite) runs on the serialized JSON line, before the pretty printer reads it.
  const stream = pretty ? prettyStream(destination ?? (fd as number), terminal) : destination;
  return pino(
    {
      level,
      base: { service: 'groundwork' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-slack-signature"]',
          '*.headers.authorization',
          '*.headers.Authorization',
          // Secret fields, at the top of a line and one level down.
          ...['password', 'token', 'apiKey', 'secret', 'appPassword', 'signingSecret', 'botToken', 'appToken'].flatMap((key) => [key, `*.${key}`]),
        ],
        censor: '[redacted]',
      },
      hooks: { streamWrite: redactLine },
    },
    stream,
  );
}

/** Readable lines for a person: time, level, [component] message, then the fields; colours only on a terminal. */
function prettyStream(destination: pino.DestinationStream | number, colorize: boolean): pino.DestinationStream {
  const prettify = prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    messageFormat: '{if component}[{component}] {end}{msg}',
    ignore: 'pid,hostname,service,component',
  });
  // Written as each line comes, in order with everything else on the destination.
  const out = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  return { write: (line: string) => void out.write(prettify(line)) };
}
