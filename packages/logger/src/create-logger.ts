import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors wherever they appear in a log line: authorization headers, API keys, webhook secrets and
 * signatures, passwords and tokens, at the top level and one or two levels down (e.g. `req.headers.authorization`).
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'apiKey',
  'api_key',
  'KOMBO_API_KEY',
  'webhookSecret',
  'webhookSecrets',
  'secret',
  'secrets',
  'KOMBO_WEBHOOK_SECRETS',
  'password',
  'DASHBOARD_PASSWORD',
  'token',
  'DASHBOARD_TOKEN',
  'x-kombo-signature',
  'signature',
  'cookie',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.*.${key}`),
].map((path) => (path.includes('-') ? path.replace(/(^|\.)([^.]*-[^.]*)$/, '$1["$2"]') : path));

export interface CreateLoggerOptions {
  /** Service name put on every line, e.g. `ingress`. */
  name: string;
  /** pino level; default `info`. */
  level?: string;
  /** `auto` (default): pretty when stdout is a TTY, else JSON. */
  format?: 'auto' | 'json' | 'pretty';
  /** Where lines go; default stdout. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/** Creates the pino logger of a process, with secrets redacted. Packages take a logger argument instead. */
export function createLogger({
  name,
  level = 'info',
  format = 'auto',
  destination,
}: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  const isPretty =
    !destination && (format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true));
  if (isPretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return destination ? pino(options, destination) : pino(options);
}
