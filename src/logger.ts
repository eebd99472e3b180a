import { pino, type Logger } from 'pino';

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

/** The one root logger; components get `logger.child({ component })`. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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
    destination,
  );
}
