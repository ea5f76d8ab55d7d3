/**
 * Where the fleet's Redis is: one server (`redis://`, `rediss://`), or a Redis Cluster reached through seed nodes
 * (`redis+cluster://`, `rediss+cluster://` for TLS). Credentials, if any, apply to every node.
 */
export type RedisTarget =
  | { readonly kind: 'standalone'; readonly url: string }
  | {
      readonly kind: 'cluster';
      /** Seed nodes: the client asks any of them for the slot map, then talks to the owner of each slot. */
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly username?: string;
      readonly password?: string;
      readonly isTls: boolean;
    };

/** A REDIS_URL that is not one of the accepted forms; the message never contains the URL (it may hold a password). */
export class RedisUrlError extends Error {
  readonly code = 'REDIS_URL_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'RedisUrlError';
  }
}

/** The accepted forms, for error messages. */
export const REDIS_URL_FORMS =
  'redis://[user:password@]host:port[/db], rediss://… (TLS), ' +
  'redis+cluster://[user:password@]host:port[,host:port…] or rediss+cluster://… (Redis Cluster, TLS)';

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\//i;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/;

/**
 * Parses REDIS_URL. A cluster URL lists one or more seed nodes, comma-separated; it has no database (a Cluster
 * has only database 0: no path but `/` or `/0`), no query and no fragment. Throws a {@link RedisUrlError}.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const cluster = CLUSTER_SCHEME.exec(url);
  if (!cluster) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new RedisUrlError(`must be a URL of one of the forms ${REDIS_URL_FORMS}`);
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:')
      throw new RedisUrlError(`must be a URL of one of the forms ${REDIS_URL_FORMS}`);
    return { kind: 'standalone', url };
  }
  const rest = url.slice(cluster[0].length);
  const at = rest.lastIndexOf('@');
  const userInfo = at === -1 ? undefined : rest.slice(0, at);
  const afterUser = rest.slice(at + 1);
  const end = afterUser.search(/[/?#]/);
  const hostList = end === -1 ? afterUser : afterUser.slice(0, end);
  const tail = end === -1 ? '' : afterUser.slice(end);
  if (tail !== '' && tail !== '/' && tail !== '/0') {
    throw new RedisUrlError(
      tail.startsWith('/')
        ? 'a Redis Cluster has only database 0: a redis+cluster:// URL takes no /<db> path'
        : 'a redis+cluster:// URL takes no query or fragment',
    );
  }
  const entries = hostList.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === ''))
    throw new RedisUrlError('lists no cluster node: use redis+cluster://host:port[,host:port…]');
  const nodes = entries.map((entry, index) => {
    const match = /^(.+):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (!match || !HOST.test(match[1]!) || port < 1 || port > 65535) {
      throw new RedisUrlError(
        `cluster node ${index + 1} of ${entries.length} is not host:port (port 1 to 65535); ` +
          'use redis+cluster://host:port[,host:port…]',
      );
    }
    return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  });
  const credentials = userInfo === undefined ? {} : parseUserInfo(userInfo);
  return { kind: 'cluster', nodes, ...credentials, isTls: cluster[1]!.toLowerCase() === 'rediss' };
}

function parseUserInfo(userInfo: string): { username?: string; password?: string } {
  const colon = userInfo.indexOf(':');
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new RedisUrlError('has a malformed %-escape in its user or password');
    }
  };
  const username = decode(colon === -1 ? userInfo : userInfo.slice(0, colon));
  const password = colon === -1 ? '' : decode(userInfo.slice(colon + 1));
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/**
 * The Redis Cluster hash tag of a key, as Redis computes it: the text between the first `{` and the first `}`
 * after it, when not empty; `undefined` when the key has none (then the whole key is hashed).
 */
export function redisHashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}
