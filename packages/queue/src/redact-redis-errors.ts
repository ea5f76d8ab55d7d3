import { Cluster } from 'ioredis';
import type { RedisConnection } from './create-redis.js';

/** Commands whose arguments carry credentials: `AUTH [user] password`, `HELLO 3 AUTH user password`. */
const CREDENTIAL_COMMANDS = new Set(['auth', 'hello']);

/** Error fields ioredis nests other errors in (ClusterAllFailedError's `lastNodeError`), and `cause`. */
const NESTED_ERRORS = ['lastNodeError', 'cause'] as const;

/**
 * Replaces the arguments of a credential command that ioredis attached to `err` (`err.command = { name, args }`,
 * what a refused `HELLO … AUTH user password` fails with) by `[redacted]`, in place, also in the errors it nests
 * (`lastNodeError`, `cause`): whatever logs, prints or rethrows the error afterwards finds no password in it.
 */
export function redactRedisError(err: unknown, depth = 0): void {
  if (typeof err !== 'object' || err === null || depth > 3) return;
  const command = (err as { command?: unknown }).command;
  if (typeof command === 'object' && command !== null) {
    const { name, args } = command as { name?: unknown; args?: unknown };
    if (typeof name === 'string' && CREDENTIAL_COMMANDS.has(name.toLowerCase()) && Array.isArray(args)) {
      (err as { command: unknown }).command = { name, args: args.map(() => '[redacted]') };
    }
  }
  for (const key of NESTED_ERRORS) redactRedisError((err as Record<string, unknown>)[key], depth + 1);
}

/**
 * `connection` with its errors redacted ({@link redactRedisError}) before any other listener sees them: `error`,
 * and a Cluster's `node error` (the error of one node's connection, e.g. a refused AUTH). The copies BullMQ makes with
 * `duplicate()` (its blocking connections) get the same. The commands a failed connection flushes are rejected
 * with the same error object, and their handlers run after the emit, so they see it redacted too. An `error` nobody
 * else listens for is still reported on stderr, as ioredis does.
 */
export function withRedactedErrors<T extends RedisConnection>(connection: T): T {
  connection.prependListener('error', (err: unknown) => {
    redactRedisError(err);
    if (connection.listenerCount('error') === 1 && err instanceof Error)
      console.error('[ioredis] Unhandled error event:', err.stack);
  });
  if (connection instanceof Cluster)
    connection.prependListener('node error', (err: unknown) => redactRedisError(err));
  const duplicate = connection.duplicate.bind(connection) as (...args: unknown[]) => T;
  (connection as { duplicate: unknown }).duplicate = (...args: unknown[]) =>
    withRedactedErrors(duplicate(...args));
  return connection;
}
