import { parseRedisUrl } from '@kombo-sync/config';
import { Cluster } from 'ioredis';
import type { RedisConnection } from './create-redis.js';

/**
 * REDIS_URL leads to no Redis the process can use, for a reason retrying does not fix: the server refuses its
 * credentials, or a cluster URL names nodes that give no slot map (down, or not cluster nodes). The message names
 * the nodes (`host:port`) and the server's reason, never the password.
 */
export class RedisStartupError extends Error {
  readonly code = 'REDIS_UNUSABLE';
  constructor(message: string) {
    super(message);
    this.name = 'RedisStartupError';
  }
}

/** `host:port` of REDIS_URL's server (of each seed node of a cluster URL), without credentials. */
export function describeRedisUrl(url: string): string {
  try {
    const target = parseRedisUrl(url);
    if (target.kind === 'cluster') return target.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
    const parsed = new URL(target.url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

/** ioredis' message for a command flushed by a connection that closed (or never opened). */
const CONNECTION_CLOSED = 'Connection is closed.';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A reply refusing the connection's credentials (ioredis' handshake: `HELLO 3 AUTH …` or `AUTH …`). */
const isCredentialsRefused = (message: string): boolean =>
  /^(WRONGPASS|NOAUTH|NOPERM)\b|invalid (username-)?password/i.test(message);

/**
 * Waits for `redis` (from `createRedis(url)`) at a process's start. Resolves once it is ready; rejects with a
 * {@link RedisStartupError} when the server refuses REDIS_URL's credentials, or, for a cluster URL, when no seed node
 * gives a slot map (none answers, or they are not cluster nodes), which ioredis would otherwise retry for ever.
 * A single server that does not answer yet is left to ioredis' reconnects as before: this resolves at its first
 * connection error (a fleet may start before its Redis).
 */
export function checkRedisAtStart(redis: RedisConnection, url: string): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  const where = describeRedisUrl(url);
  let lastNodeError: string | undefined;
  return new Promise<void>((resolve, reject) => {
    const onNodeError = (err: unknown, node: unknown): void => {
      lastNodeError = `${String(node)}: ${messageOf(err)}`;
    };
    const finish = (error?: RedisStartupError): void => {
      redis.off('ready', onReady);
      redis.off('error', onError);
      redis.off('node error', onNodeError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = (): void => finish();
    const onError = (err: unknown): void => {
      const nested = (err as { lastNodeError?: unknown }).lastNodeError;
      const reason = messageOf(nested ?? err);
      if (isCredentialsRefused(reason)) {
        finish(new RedisStartupError(`Redis at ${where} refused the credentials of REDIS_URL: ${reason}`));
      } else if (redis instanceof Cluster) {
        // ioredis reports a node that refuses connections as "Connection is closed." only.
        const problem =
          reason === CONNECTION_CLOSED
            ? 'none of these nodes answered'
            : `no node there gave its slot map (${lastNodeError ?? reason})`;
        finish(
          new RedisStartupError(
            `REDIS_URL names a Redis Cluster at ${where}, but ${problem}: ` +
              'check the nodes, or use redis:// for a single server',
          ),
        );
      } else {
        finish();
      }
    };
    redis.on('ready', onReady);
    redis.on('error', onError);
    redis.on('node error', onNodeError);
  });
}

/**
 * {@link checkRedisAtStart} for a process's `main.ts`: on a {@link RedisStartupError} its one line is logged as fatal,
 * `redis` is disconnected, `cleanup` (the process's other connections) awaited, and the process exits 1.
 */
export async function checkRedisAtStartOrExit(
  redis: RedisConnection,
  url: string,
  {
    logger,
    cleanup,
  }: { logger: { fatal(obj: object, msg: string): void }; cleanup?: () => Promise<unknown> },
): Promise<void> {
  try {
    await checkRedisAtStart(redis, url);
  } catch (err) {
    if (!(err instanceof RedisStartupError)) throw err;
    logger.fatal({ code: err.code }, err.message);
    redis.disconnect();
    await cleanup?.();
    process.exit(1);
  }
}
