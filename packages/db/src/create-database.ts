import type { Logger } from '@kombo-sync/logger';
import { drizzle, type NodePgDatabase, type NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import pg from 'pg';

/** A Drizzle database or transaction: every store function runs on either. */
export type Executor = PgDatabase<NodePgQueryResultHKT>;

/** A connection pool and the Drizzle database over it. */
export interface Database {
  db: NodePgDatabase;
  pool: pg.Pool;
  /** Ends the pool; waits for checked-out connections to be released. */
  close(): Promise<void>;
}

/** What store functions accept: a {@link Database}, or a Drizzle database or transaction. */
export type DbLike = Database | Executor;

export function toExecutor(db: DbLike): Executor {
  return 'pool' in db && 'close' in db ? db.db : db;
}

/** Thrown when Postgres cannot be reached at start; names host:port/database, never the password. */
export class DatabaseConnectionError extends Error {
  readonly code = 'DATABASE_UNREACHABLE';
  constructor(
    readonly target: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot connect to Postgres at ${target}: ${reason}`, options);
    this.name = 'DatabaseConnectionError';
  }
}

/** `host:port/database` of a connection string, without credentials. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || '5432';
    return `${parsed.hostname}:${port}${parsed.pathname || '/'}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

export interface CreateDatabaseOptions {
  /** Postgres connection string. */
  url: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
  /** How long to wait for a connection; default 5000 ms. */
  connectTimeoutMs?: number;
  /** Postgres's `statement_timeout` on every connection, ms; default none (Postgres's own, usually off). */
  statementTimeoutMs?: number;
  /** Postgres's `lock_timeout` on every connection, ms; default none. */
  lockTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Creates a pool and checks that Postgres answers; on failure ends the pool and throws a
 * {@link DatabaseConnectionError}, so a process refuses to start.
 */
export async function createDatabase(options: CreateDatabaseOptions): Promise<Database> {
  const target = describeDatabaseUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
    ...(options.lockTimeoutMs === undefined ? {} : { lock_timeout: options.lockTimeoutMs }),
  });
  // A connection that breaks (Postgres restarting, a failover, the network) emits 'error': on the pool while idle,
  // on the client while checked out, where pg listens for none. Unhandled, either would crash the process; the
  // query running on it fails on its own, so logging is all that is left to do.
  const onConnectionError = (err: Error) =>
    options.logger?.warn({ err: redact(err, options.url) }, 'Postgres connection failed');
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseConnectionError(target, reasonOf(err, options.url), {
      cause: redact(err, options.url),
    });
  }
  const db = drizzle({ client: pool });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () => (closing ??= pool.end()),
  };
}

/** The `code` a store error made safe carries when Postgres was unavailable (see `toSafeStoreError`). */
export const STORE_UNAVAILABLE_CODE = 'DB.UNAVAILABLE';

/** SQLSTATE classes and codes, and node-level codes, of a Postgres that is down, restarting or unreachable. */
const UNAVAILABLE_CODES = new Set([
  STORE_UNAVAILABLE_CODE,
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
];

/**
 * Whether `err` (or an error in its `cause` chain) says Postgres could not be reached or dropped the connection:
 * the store is down or restarting, not the data wrong, so the work should wait and try again rather than fail.
 */
export function isStoreUnavailableError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (UNAVAILABLE_MESSAGES.some((text) => e instanceof Error && e.message.includes(text))) return true;
  }
  return false;
}

function reasonOf(err: unknown, url: string): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const reason = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  return stripPassword(reason, url);
}

function stripPassword(text: string, url: string): string {
  const password = passwordOf(url);
  return password ? text.split(password).join('***') : text;
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** An error safe to log or attach as `cause`: the password removed from its message. */
function redact(err: unknown, url: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  const safe = new Error(stripPassword(message, url));
  safe.name = err instanceof Error ? err.name : 'Error';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(safe, { code });
  return safe;
}
