// Throwaway local Postgres and Redis for `npm start`, `npm test` and benchmarks, used when DATABASE_URL /
// REDIS_URL are not configured. Plain JavaScript on purpose: it runs before dependencies are installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, chownSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const HOW_TO_GET = {
  redis:
    'Install Redis 7 (Debian/Ubuntu: `sudo apt-get install -y redis-server`; macOS: `brew install redis`), ' +
    'or run `docker compose up -d redis` and set REDIS_URL=redis://127.0.0.1:6379.',
  postgres:
    'Install PostgreSQL 15+ server binaries (Debian/Ubuntu: `sudo apt-get install -y postgresql`; macOS: ' +
    '`brew install postgresql@16`), or run `docker compose up -d postgres` and set ' +
    'DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/kombo_sync.',
  chromium: 'Install Chromium for the browser tests (Debian/Ubuntu: `sudo apt-get install -y chromium`).',
  ps: 'Install ps, which the tests use to check that nothing is left running (Debian/Ubuntu: `sudo apt-get install -y procps`).',
  promtool:
    'Install promtool, which tests the alert rules in deploy/prometheus (Debian/Ubuntu: `sudo apt-get install -y ' +
    'prometheus`, which has it; macOS: `brew install prometheus`).',
  buildah:
    'Install buildah to build and run the image without a Docker engine (Debian/Ubuntu: `sudo apt-get install -y buildah`), or start a Docker engine.',
  debootstrap:
    'Install debootstrap, which makes a stand-in base image when the base image cannot be pulled (Debian/Ubuntu: `sudo apt-get install -y debootstrap`).',
};

/** Where the browser tests expect Chromium (Debian's `chromium` package). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export class LocalServiceError extends Error {}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Installs Debian packages in one apt transaction when allowed (root, apt-get present, KOMBO_SYNC_AUTO_INSTALL not 0). */
function aptInstall(packages, log) {
  if (process.env.KOMBO_SYNC_AUTO_INSTALL === '0' || !isRoot() || !which('apt-get')) return false;
  log(`installing ${packages.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  return spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'ignore', env }).status === 0;
}

/** The machine tools the project runs, how to find each and the Debian package that provides it. */
const TOOLS = {
  redis: { isPresent: () => which('redis-server') !== null, aptPackage: 'redis-server' },
  postgres: {
    isPresent: () => findPostgresBin('initdb') !== null && findPostgresBin('pg_ctl') !== null,
    aptPackage: 'postgresql',
  },
  chromium: { isPresent: () => existsSync(CHROMIUM_PATH), aptPackage: 'chromium' },
  // Not in a minimal Debian (or its container image); a desktop Chromium pulls it in only through recommends.
  ps: { isPresent: () => which('ps') !== null, aptPackage: 'procps' },
  // Debian ships promtool only inside the Prometheus server's package (the server is not started by the tests).
  promtool: { isPresent: () => which('promtool') !== null, aptPackage: 'prometheus' },
  buildah: { isPresent: () => which('buildah') !== null, aptPackage: 'buildah' },
  debootstrap: { isPresent: () => which('debootstrap') !== null, aptPackage: 'debootstrap' },
};

/**
 * Makes sure the named tools (`redis`, `postgres`, `chromium`, `ps`, `promtool`, `buildah`, `debootstrap`) are on the machine: installs the missing ones with
 * one apt-get call when allowed (see {@link aptInstall}), else throws a {@link LocalServiceError} whose message
 * says, in one line per tool, what to install. Takes seconds when nothing is missing or nothing can be installed.
 */
export function ensureTools(names, { log = () => {} } = {}) {
  const missing = names.filter((name) => !TOOLS[name].isPresent());
  if (missing.length === 0) return;
  aptInstall(
    missing.map((name) => TOOLS[name].aptPackage),
    log,
  );
  const still = missing.filter((name) => !TOOLS[name].isPresent());
  if (still.length > 0) {
    throw new LocalServiceError(still.map((name) => `${name} is missing. ${HOW_TO_GET[name]}`).join('\n'));
  }
}

/** The servers a command starts itself: `redis` unless REDIS_URL is set, `postgres` unless DATABASE_URL is. */
export function localServerTools(env = process.env) {
  return [...(env.REDIS_URL ? [] : ['redis']), ...(env.DATABASE_URL ? [] : ['postgres'])];
}

/**
 * {@link ensureTools} for a command's start: on a missing tool that cannot be installed, prints what to install
 * (prefixed `kombo-sync:`) and exits 1.
 */
export function ensureToolsOrExit(names) {
  const log = (msg) => process.stderr.write(`kombo-sync: ${msg}\n`);
  try {
    ensureTools(names, { log });
  } catch (err) {
    if (!(err instanceof LocalServiceError)) throw err;
    log(err.message);
    process.exit(1);
  }
}

function findPostgresBin(name) {
  const onPath = which(name);
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const candidate = path.join(root, version, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new LocalServiceError(`${what} did not become ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts a daemonised redis-server on loopback `port` with its files in `dir` (no RDB snapshots, `noeviction`),
 * plus `args`, and resolves with its pid once it answers. Redis 7.0 listens before it has written its pidfile: the
 * file can exist yet still be empty, and an empty pid read as 0 would make a stop() signal our own process group.
 * So it waits for a real pid, not for the file.
 */
async function launchRedisServer(bin, { port, dir, args, what }) {
  const pidfile = path.join(dir, 'redis.pid');
  rmSync(pidfile, { force: true }); // a restart in the same dir must not read the previous server's pid
  execFileSync(bin, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    ...args,
    '--daemonize',
    'yes',
    '--pidfile',
    pidfile,
    '--logfile',
    path.join(dir, 'redis.log'),
  ]);
  let pid = null;
  await waitFor(async () => (await canConnect(port)) && (pid = readPidFile(pidfile)) !== null, 10_000, what);
  return pid;
}

/**
 * Starts redis-server on a free loopback port. `appendonly` turns AOF on (as in docker-compose), for tests that
 * restart Redis and expect the queue to survive; `password` sets `requirepass` (the returned `url` has no
 * credentials). Returns { url, port, pid, dir, stop() }.
 */
export async function startRedis({ port, dir, appendonly = false, password, log = () => {} } = {}) {
  ensureTools(['redis'], { log });
  const bin = which('redis-server');
  port ??= await freePort();
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'kombo-sync-redis-'));
  const pid = await launchRedisServer(bin, {
    port,
    dir,
    args: ['--appendonly', appendonly ? 'yes' : 'no', ...(password ? ['--requirepass', password] : [])],
    what: `Redis on port ${port}`,
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    dir,
    async stop({ keepDir = false } = {}) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await waitFor(async () => !(await canConnect(port)) && !isAlive(pid), 10_000, `Redis ${port} to stop`);
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a throwaway Redis Cluster of `masters` masters (default 3, no replicas) on free loopback ports: one
 * `redis-server --cluster-enabled yes` per node in a temp dir (cluster bus on a free port of its own), joined by
 * `redis-cli --cluster create`, ready once every node reports `cluster_state:ok` and knows every node. Returns
 * { url, nodes: [{ port, pid, url }], dir, stop() }: `url` is the fleet's `redis+cluster://` REDIS_URL listing
 * every node, each node's `url` a plain `redis://` one (a standalone client there gets MOVED for other slots).
 * `password` sets `requirepass` (and `masterauth`) on every node; the URLs carry no credentials. stop() stops every
 * node and removes the dir.
 */
export async function startRedisCluster({ masters = 3, password, log = () => {} } = {}) {
  ensureTools(['redis'], { log });
  const bin = which('redis-server');
  const cli = which('redis-cli');
  if (!cli) throw new LocalServiceError(`redis-cli is missing. ${HOW_TO_GET.redis}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kombo-sync-redis-cluster-'));
  const auth = password ? ['--no-auth-warning', '-a', password] : [];
  const nodes = [];
  const stop = async () => {
    for (const node of nodes) {
      try {
        process.kill(node.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await Promise.all(
      nodes.map((node) =>
        waitFor(
          async () => !(await canConnect(node.port)) && !isAlive(node.pid),
          10_000,
          `Redis cluster node ${node.port} to stop`,
        ),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = new Set();
    while (ports.size < masters * 2) ports.add(await freePort());
    const [...free] = ports;
    for (let i = 0; i < masters; i++) {
      const port = free[i * 2];
      const nodeDir = path.join(dir, `node-${i + 1}`);
      mkdirSync(nodeDir);
      const pid = await launchRedisServer(bin, {
        port,
        dir: nodeDir,
        args: [
          '--cluster-port',
          String(free[i * 2 + 1]),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(nodeDir, 'nodes.conf'),
          '--cluster-node-timeout',
          '2000',
          '--appendonly',
          'no',
          ...(password ? ['--requirepass', password, '--masterauth', password] : []),
        ],
        what: `Redis cluster node on port ${port}`,
      });
      nodes.push({ port, pid, url: `redis://127.0.0.1:${port}` });
    }
    const created = spawnSync(
      cli,
      [
        ...auth,
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) {
      throw new LocalServiceError(
        `redis-cli --cluster create failed: ${(created.stderr || created.stdout).trim()}`,
      );
    }
    const isReady = (node) => {
      const info =
        spawnSync(cli, [...auth, '-p', String(node.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout ??
        '';
      return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`);
    };
    await waitFor(async () => nodes.every(isReady), 20_000, 'Redis cluster_state:ok on every node');
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return {
    url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    nodes,
    dir,
    stop,
  };
}

/** The positive pid written in `pidfile`, or null while it is missing, empty or partly written. */
export function readPidFile(pidfile) {
  let text;
  try {
    text = readFileSync(pidfile, 'utf8');
  } catch {
    return null;
  }
  if (!/^\d+\n?$/.test(text)) return null;
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a throwaway PostgreSQL cluster on a free loopback port (initdb + pg_ctl; as the `postgres` user when run
 * as root, since initdb refuses root), creates the `kombo_sync` database. Returns { url, port, stop() }.
 */
export async function startPostgres({ port, log = () => {} } = {}) {
  ensureTools(['postgres'], { log });
  const initdb = findPostgresBin('initdb');
  const pgCtl = findPostgresBin('pg_ctl');
  port ??= await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kombo-sync-pg-'));
  const asPostgres = isRoot();
  const run = (bin, args) => {
    const [cmd, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
    const result = spawnSync(cmd, argv, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new LocalServiceError(
        `${path.basename(bin)} failed: ${(result.stderr || result.stdout || '').trim()}`,
      );
    }
  };
  if (asPostgres) {
    const { uid, gid } = userIds('postgres');
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  run(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const start = () =>
    run(pgCtl, [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
      'start',
    ]);
  start();
  const psql = findPostgresBin('psql');
  if (psql) {
    spawnSync(
      psql,
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'CREATE DATABASE kombo_sync'],
      { stdio: 'ignore' },
    );
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/kombo_sync`,
    port,
    dir,
    /**
     * Stops the server as an operator's restart does (`pg_ctl -m fast`: sessions killed), or as a crash does
     * (`mode: 'immediate'`: crash recovery at start, which empties UNLOGGED tables), waits `downMs`, starts it.
     */
    async restart({ downMs = 0, mode = 'fast' } = {}) {
      run(pgCtl, ['-D', data, '-m', mode, '-w', 'stop']);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      start();
    },
    async stop() {
      try {
        run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function userIds(name) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new LocalServiceError(`user ${name} not found`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts whatever is not configured: Postgres when DATABASE_URL is unset, Redis when REDIS_URL is unset.
 * Returns { env: { DATABASE_URL, REDIS_URL }, stop() }; stop() leaves no process behind.
 */
export async function startLocalServices({ env = process.env, log = () => {} } = {}) {
  const started = [];
  const result = { DATABASE_URL: env.DATABASE_URL, REDIS_URL: env.REDIS_URL };
  // Both servers checked before either starts: one apt transaction, or one error naming everything to install.
  ensureTools([...(env.REDIS_URL ? [] : ['redis']), ...(env.DATABASE_URL ? [] : ['postgres'])], { log });
  try {
    if (!env.REDIS_URL) {
      const redis = await startRedis({ log });
      started.push(redis);
      result.REDIS_URL = redis.url;
      log(`started local Redis at ${redis.url}`);
    }
    if (!env.DATABASE_URL) {
      const pg = await startPostgres({ log });
      started.push(pg);
      result.DATABASE_URL = pg.url;
      log(`started local Postgres at ${pg.url}`);
    }
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw err;
  }
  return {
    env: result,
    started: started.length,
    async stop() {
      await Promise.allSettled(started.reverse().map((s) => s.stop()));
    },
  };
}
