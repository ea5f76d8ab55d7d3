import { parseRedisUrl } from '@kombo-sync/config';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { withRedactedErrors } from './redact-redis-errors.js';

/**
 * A connection to the fleet's Redis: one server, or ioredis' Cluster client when REDIS_URL is a
 * `redis+cluster://` URL. BullMQ (`connection`) and every helper of this package take either; the Cluster client
 * follows MOVED/ASK redirections, so each command reaches the master that owns its key's slot.
 */
export type RedisConnection = Redis | Cluster;

/**
 * What the connection is for:
 * - `queue`: request/response paths (the ingress): no offline queue and one retry per command, so a down Redis
 *   fails a command at once instead of queueing it; reconnects in the background (100 ms steps up to 2 s).
 *   No auto-pipelining: each webhook's commands are issued from their own I/O callback, so a tick's batch is
 *   nearly always one command and the pipeline machinery only added cost (see bench/README.md, "Figures behind
 *   code choices").
 * - `worker`: BullMQ workers: `maxRetriesPerRequest: null` as BullMQ requires for blocking commands.
 * - `client`: CLI, dashboard, tests: ioredis defaults (offline queue on, 20 retries per command).
 *
 * On a Cluster the same choices apply: `enableOfflineQueue` and the reconnect strategy (`clusterRetryStrategy`)
 * are the Cluster client's, `maxRetriesPerRequest` and `connectTimeout` its node connections' (`redisOptions`).
 * `keyPrefix` is never set: BullMQ refuses it and prefixes keys itself (`QUEUE_PREFIX`).
 */
export type RedisRole = 'queue' | 'worker' | 'client';

/** Overrides of a role's defaults (the CLI fails faster than a service). */
export interface CreateRedisOptions {
  role: RedisRole;
  /** Connect on `connect()` or the first command instead of at once; default false. */
  lazyConnect?: boolean;
  /** Timeout of one connection attempt, ms; default the role's (2,000 for `queue`, else ioredis' 10,000). */
  connectTimeoutMs?: number;
  /** Retries of a command over reconnects; default the role's. Must stay null for BullMQ workers. */
  maxRetriesPerRequest?: number | null;
  /** Delay before reconnect attempt `times`, ms, or null to give up; default 100 ms steps up to 2 s. */
  retryStrategy?: (times: number) => number | null;
}

const defaultRetryStrategy = (times: number) => Math.min(times * 100, 2_000);

/** ioredis options for a role (one server); see {@link RedisRole}. */
export function redisOptions(role: RedisRole): RedisOptions {
  switch (role) {
    case 'queue':
      return {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        enableAutoPipelining: false,
        retryStrategy: defaultRetryStrategy,
      };
    case 'worker':
      return { maxRetriesPerRequest: null, retryStrategy: defaultRetryStrategy };
    case 'client':
      return { retryStrategy: defaultRetryStrategy };
  }
}

/**
 * Opens a connection to REDIS_URL with the options of `role`: a standalone `Redis` for `redis://`/`rediss://`, a
 * `Cluster` seeded with the listed nodes for `redis+cluster://`/`rediss+cluster://` (see `parseRedisUrl` of
 * packages/config; throws its `RedisUrlError` for anything else). The caller owns it and must `quit()` it. Add an
 * `error` listener: ioredis reports connection losses as `error` events. Its errors never carry the credentials of
 * REDIS_URL (see `withRedactedErrors`).
 */
export function createRedis(url: string, options: CreateRedisOptions): RedisConnection {
  const { role, lazyConnect, connectTimeoutMs, maxRetriesPerRequest, retryStrategy } = options;
  const target = parseRedisUrl(url);
  const {
    retryStrategy: roleRetryStrategy,
    enableOfflineQueue,
    enableAutoPipelining,
    ...connection
  } = redisOptions(role);
  const overrides = {
    ...(connectTimeoutMs === undefined ? {} : { connectTimeout: connectTimeoutMs }),
    ...(maxRetriesPerRequest === undefined ? {} : { maxRetriesPerRequest }),
  };
  const reconnect = retryStrategy ?? roleRetryStrategy;
  if (target.kind === 'standalone') {
    return withRedactedErrors(
      new Redis(target.url, {
        ...connection,
        ...overrides,
        ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
        ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
        ...(lazyConnect === undefined ? {} : { lazyConnect }),
        ...(reconnect ? { retryStrategy: reconnect } : {}),
      }),
    );
  }
  const clusterOptions: ClusterOptions = {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(reconnect ? { clusterRetryStrategy: reconnect } : {}),
    redisOptions: {
      ...connection,
      ...overrides,
      ...(target.username === undefined ? {} : { username: target.username }),
      ...(target.password === undefined ? {} : { password: target.password }),
      ...(target.isTls ? { tls: {} } : {}),
    },
    // With TLS, keep the node names the slot map reports for the certificate check instead of resolving them to
    // IP addresses first (what managed clusters such as ElastiCache need).
    ...(target.isTls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
  return withRedactedErrors(
    new Cluster(
      target.nodes.map(({ host, port }) => ({ host, port })),
      clusterOptions,
    ),
  );
}
