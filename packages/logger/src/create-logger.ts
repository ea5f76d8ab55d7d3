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

/** Longest `message` or `stack` (or any other string field) a logged error keeps, in characters. */
export const MAX_LOGGED_ERROR_TEXT = 2_000;

const bound = (text: string): string =>
  text.length <= MAX_LOGGED_ERROR_TEXT ? text : `${text.slice(0, MAX_LOGGED_ERROR_TEXT - 13)} …[truncated]`;

// drizzle's DrizzleQueryError message: "Failed query: <sql>\nparams: <parameters>" (the parameters on one line).
const QUERY_TEXT = /Failed query:[\s\S]*?\nparams:[^\n]*/g;

/** Deeper than this, a logged error's fields are replaced by a marker rather than logged unchecked. */
const MAX_ERROR_DEPTH = 4;

/** ioredis' `err.command`: `{ name, args }` of the command that failed. */
function isRedisCommand(value: unknown): value is { name: string; args: unknown } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
  );
}

/**
 * A serialised error (pino's `err` serializer output) made safe to log: no drizzle query text or parameters
 * (`Failed query: …`, `query`, `params`), no arguments of a failed Redis command (ioredis' `command.args`: a
 * refused `HELLO 3 AUTH user password` carries REDIS_URL's password there; only the command's name is kept), every
 * string at most {@link MAX_LOGGED_ERROR_TEXT}, nested errors likewise, arrays kept as arrays. Errors of the stores
 * are already reduced to Postgres's reason (packages/db `toSafeStoreError`); this is the defensive bound for every
 * other path.
 */
export function safeSerializedError(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return bound(value.replace(QUERY_TEXT, 'Failed query: (query text not logged)'));
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_ERROR_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => safeSerializedError(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'query' || key === 'params') continue;
    out[key] =
      key === 'command' && isRedisCommand(field)
        ? { name: field.name }
        : safeSerializedError(field, depth + 1);
  }
  return out;
}

/** A copy of `err` (and its causes) whose message and stack carry no drizzle query text, without `query`/`params`. */
function withoutQueryText(err: Error, depth = 0): Error {
  const message = err.message.includes('Failed query:')
    ? 'Failed query: (query text not logged)'
    : err.message;
  const copy = new Error(bound(message));
  copy.name = err.name;
  const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  copy.stack = [`${err.name}: ${copy.message}`, ...frames].join('\n');
  for (const [key, value] of Object.entries(err)) {
    if (key !== 'query' && key !== 'params' && key !== 'cause')
      (copy as unknown as Record<string, unknown>)[key] = value;
  }
  if (err.cause instanceof Error && depth < 3) copy.cause = withoutQueryText(err.cause, depth + 1);
  else if (err.cause !== undefined) copy.cause = err.cause;
  return copy;
}

function serializeError(err: unknown): unknown {
  return safeSerializedError(err instanceof Error ? pino.stdSerializers.err(withoutQueryText(err)) : err);
}

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

/**
 * Creates the pino logger of a process, with secrets redacted and logged errors (`err`) bounded and free of query
 * text. Packages take a logger argument instead.
 */
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
    serializers: { err: serializeError },
  };
  const isPretty =
    !destination && (format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true));
  if (isPretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return destination ? pino(options, destination) : pino(options);
}
