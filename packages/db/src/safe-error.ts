import { isStoreUnavailableError, STORE_UNAVAILABLE_CODE } from './create-database.js';
/** Longest text a {@link SafeStoreError} message (or any stored/logged error text built from it) may have. */
export const MAX_ERROR_TEXT_LENGTH = 2_000;

/**
 * An error of a store call reduced to what is safe to store and log: Postgres's reason (SQLSTATE and message, quoted
 * values redacted, identifiers kept) and the record id when known; never SQL text, SQL parameters or record data,
 * and at most {@link MAX_ERROR_TEXT_LENGTH} characters. `code` is the SQLSTATE for a Postgres error, else the
 * original error's `code` (e.g. `ECONNREFUSED`), else `DB.ERROR`. The original error is deliberately not kept as
 * `cause`: drizzle's carries the whole statement and its parameters in its message and stack.
 */
export class SafeStoreError extends Error {
  readonly code: string;
  /** Postgres's SQLSTATE, when the error came from Postgres. */
  readonly sqlstate?: string;
  readonly recordId?: string;

  constructor(message: string, options: { code: string; sqlstate?: string; recordId?: string }) {
    super(boundText(message));
    this.name = 'SafeStoreError';
    this.code = options.code;
    if (options.sqlstate !== undefined) this.sqlstate = options.sqlstate;
    if (options.recordId !== undefined) this.recordId = options.recordId;
  }
}

/** What pg's `DatabaseError` carries that is safe to keep (its `detail`, `where` and `internalQuery` are not). */
interface PgErrorFields {
  code: string;
  message: string;
  column?: string;
  table?: string;
  constraint?: string;
  dataType?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The Postgres error inside `error` (drizzle wraps it as `cause` of a DrizzleQueryError), if any. */
export function findPgError(error: unknown): PgErrorFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const candidate = current as Partial<PgErrorFields> & { severity?: unknown; cause?: unknown };
    if (
      typeof candidate.code === 'string' &&
      SQLSTATE.test(candidate.code) &&
      typeof candidate.severity === 'string' &&
      typeof candidate.message === 'string'
    ) {
      return candidate as PgErrorFields;
    }
    current = candidate.cause;
  }
  return undefined;
}

/** The SQLSTATE of the Postgres error inside `error`, if any. */
export function sqlstateOf(error: unknown): string | undefined {
  return findPgError(error)?.code;
}

// Postgres quotes identifiers and values alike; a quoted text right after one of these words is an identifier.
const IDENTIFIER_WORDS =
  /(?:column|relation|constraint|table|index|type|schema|function|database|role|sequence|operator|view|trigger)\s*$/i;

/**
 * `message` with every quoted value replaced by `"…"`, keeping quoted identifiers (a column, relation, constraint or
 * type name): `value "1e400" is out of range for type double precision` becomes
 * `value "…" is out of range for type double precision`, `column "weekly_hours"` stays.
 */
export function redactQuotedValues(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"/g, (quoted, offset: number) =>
    IDENTIFIER_WORDS.test(message.slice(Math.max(0, offset - 24), offset)) ? quoted : '"…"',
  );
}

/** `text` cut to at most `max` characters (default {@link MAX_ERROR_TEXT_LENGTH}), marked when cut. */
export function boundText(text: string, max = MAX_ERROR_TEXT_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 13)} …[truncated]`;
}

/** Postgres's reason as one safe line: `SQLSTATE 22003: value "…" is out of range … (column weekly_hours)`. */
function pgReason(pg: PgErrorFields): string {
  const where = [
    pg.table ? `table ${pg.table}` : '',
    pg.column ? `column ${pg.column}` : '',
    pg.constraint ? `constraint ${pg.constraint}` : '',
  ].filter(Boolean);
  const message = redactQuotedValues(pg.message);
  return `SQLSTATE ${pg.code}: ${message}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
}

/** The innermost error of `error`'s cause chain (drizzle's own message carries the query; its cause does not). */
function innermostError(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) {
    current = current.cause;
  }
  return current instanceof Error && /Failed query:|\bparams:/.test(current.message)
    ? new Error('connection lost')
    : current;
}

/**
 * Turns any error of a store call into a {@link SafeStoreError}: a Postgres error (found inside drizzle's
 * `DrizzleQueryError`) becomes its SQLSTATE and redacted message; any other error keeps its message, except that a
 * drizzle "Failed query" text is never kept. `recordId`, when given, is named in the message. Idempotent.
 */
export function toSafeStoreError(error: unknown, recordId?: string): SafeStoreError {
  if (error instanceof SafeStoreError && (recordId === undefined || error.recordId === recordId))
    return error;
  if (isStoreUnavailableError(error) && !findPgError(error)) {
    // Postgres unreachable or gone mid-query: keep that recognisable (the job waits instead of failing), with the
    // innermost error's code and reason, which name no data (drizzle's wrapper around it carries the query).
    const inner = innermostError(error);
    const code = (inner as { code?: unknown } | null)?.code;
    return new SafeStoreError(inner instanceof Error ? inner.message : String(inner), {
      code: typeof code === 'string' && code !== '' ? code : STORE_UNAVAILABLE_CODE,
      ...(recordId === undefined ? {} : { recordId }),
    });
  }
  const pg = findPgError(error);
  const suffix = recordId === undefined ? '' : ` (record ${JSON.stringify(boundText(recordId, 200))})`;
  if (pg) {
    return new SafeStoreError(`${pgReason(pg)}${suffix}`, {
      code: pg.code,
      sqlstate: pg.code,
      ...(recordId === undefined ? {} : { recordId }),
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const rawMessage = error instanceof Error ? error.message : String(error);
  const message = /Failed query:|\bparams:/.test(rawMessage)
    ? 'a database query failed (no Postgres error attached)'
    : rawMessage;
  return new SafeStoreError(`${message}${suffix}`, {
    code: typeof code === 'string' && code !== '' ? code : 'DB.ERROR',
    ...(recordId === undefined ? {} : { recordId }),
  });
}

/**
 * Is `sqlstate` about the data of a statement (one record Postgres will never accept as is), so setting the record
 * aside can help? Class 22 (data exception: bad JSON, out-of-range number, invalid timestamp, NUL in text),
 * 23502 (not null), 23514 (check) and 54000 (program limit exceeded, e.g. a value too large to index). Connection,
 * lock, serialization and every other error is not: it must fail the page as it is.
 */
export function isDataSqlstate(sqlstate: string | undefined): boolean {
  if (sqlstate === undefined) return false;
  return sqlstate.startsWith('22') || sqlstate === '23502' || sqlstate === '23514' || sqlstate === '54000';
}

/**
 * A defensive last step for any error text about to be stored: drops everything from a drizzle `Failed query:` on
 * (SQL and parameters) and bounds the rest to {@link MAX_ERROR_TEXT_LENGTH}.
 */
export function safeErrorText(text: string): string {
  const at = text.indexOf('Failed query:');
  return boundText(at < 0 ? text : `${text.slice(0, at)}(query text removed)`);
}
