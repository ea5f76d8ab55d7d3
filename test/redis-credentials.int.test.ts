// REDIS_URL's password never reaches a log. Real processes (worker, ingress, dashboard, CLI) against real Redis
// servers that refuse their credentials: a password-protected server and a password-protected 3-master cluster
// (scripts/local-services.mjs), at start and when the password changes under a running fleet. A cluster URL that
// leads to no cluster fails start-up with one clear line instead of retrying for ever.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkRedisAtStart, createRedis, RedisStartupError } from '@kombo-sync/queue';
import { Redis } from 'ioredis';
import {
  freePort,
  startRedis,
  startRedisCluster,
  type LocalRedis,
  type LocalRedisCluster,
} from '../scripts/local-services.mjs';
import { API_KEY, createHarness, type WorkerHarness } from '@kombo-sync/worker/testing';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The servers' own password (the harness's connections). */
const ADMIN_PASSWORD = 'admin-Vq81';
/** What the fleet's REDIS_URL carries: it must never be logged. */
const PASSWORD = 'Pw-7f3a9c-SECRET';

type App = 'worker' | 'ingress' | 'dashboard' | 'cli';

interface Running {
  app: App;
  child: ChildProcess;
  /** stdout and stderr as they come. */
  output: string[];
  exited: Promise<number | null>;
}

let server: LocalRedis;
let cluster: LocalRedisCluster;
let h: WorkerHarness;
const running: Running[] = [];

beforeAll(async () => {
  [server, cluster] = await Promise.all([
    startRedis({ password: ADMIN_PASSWORD }),
    startRedisCluster({ password: ADMIN_PASSWORD }),
  ]);
  // The harness gives the worker its Postgres database and a Kombo sandbox; its own Redis client is the admin.
  h = await createHarness({}, { redisUrl: `redis://:${ADMIN_PASSWORD}@127.0.0.1:${server.port}` });
}, 60_000);

afterAll(async () => {
  for (const { child } of running) if (child.exitCode === null) child.kill('SIGKILL');
  await h?.close();
  await Promise.all([server?.stop(), cluster?.stop()]);
});

/** Starts an app's main.ts (the CLI with `args`) as a real process with `redisUrl`, collecting all its output. */
async function start(app: App, redisUrl: string, args: string[] = []): Promise<Running> {
  const env: Record<string, string | undefined> = {
    PATH: process.env['PATH'],
    REDIS_URL: redisUrl,
    DATABASE_URL: h.testDb.url,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    KOMBO_API_URL: h.api.url,
    KOMBO_API_KEY: API_KEY,
    KOMBO_WEBHOOK_SECRETS: 'whsec-test',
    QUEUE_PREFIX: h.prefix,
    INGRESS_PORT: '0',
    DASHBOARD_PORT: String(await freePort()),
    WORKER_METRICS_PORT: '0',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', `apps/${app}/src/main.ts`, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => output.push(String(chunk)));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const started = { app, child, output, exited };
  running.push(started);
  return started;
}

/** Polls `output` until `pattern` appears in it, or throws after `timeoutMs`. */
async function waitForOutput(run: Running, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output.join(''))) {
    if (Date.now() > deadline)
      throw new Error(
        `${run.app}: no ${pattern} within ${timeoutMs} ms:\n${run.output.join('').slice(-2000)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for the process to exit, or kills it after `timeoutMs` (a process that retries for ever); its exit code. */
async function exitOrKill(run: Running, timeoutMs = 60_000): Promise<number | null> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

const clusterNodes = () => cluster.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
const SERVICES = ['worker', 'ingress', 'dashboard'] as const;

describe('REDIS_URL credentials Redis refuses', () => {
  for (const kind of ['redis', 'redis+cluster'] as const) {
    it(`${kind}://: no app logs the password; the services stop with one clear line, the CLI exits 4`, async () => {
      const hosts = kind === 'redis' ? `127.0.0.1:${server.port}` : clusterNodes();
      const url = `${kind}://u:${PASSWORD}@${hosts}`;
      const runs = await Promise.all([
        ...SERVICES.map((app) => start(app, url)),
        start('cli', url, ['retry-failed']),
      ]);
      const codes = await Promise.all(runs.map((run) => exitOrKill(run)));
      for (const [index, run] of runs.entries()) {
        const text = run.output.join('');
        expect({ app: run.app, hasPassword: text.includes(PASSWORD) }).toEqual({
          app: run.app,
          hasPassword: false,
        });
        expect(text).toMatch(/WRONGPASS/);
        if (run.app === 'cli') {
          expect({ app: run.app, code: codes[index] }).toEqual({ app: run.app, code: 4 });
          continue;
        }
        expect({ app: run.app, code: codes[index] }).toEqual({ app: run.app, code: 1 });
        const fatal = text.split('\n').filter((line) => line.includes('"level":60'));
        expect(fatal).toHaveLength(1);
        expect(fatal[0]).toContain(`refused the credentials of REDIS_URL`);
        expect(fatal[0]).toContain(kind === 'redis' ? hosts : hosts.split(',')[0]);
      }
    }, 120_000);
  }

  it('a password changed under running apps: their reconnects are refused and logged, never the password', async () => {
    const admin = new Redis(`redis://:${ADMIN_PASSWORD}@127.0.0.1:${server.port}`);
    try {
      await admin.call('ACL', 'SETUSER', 'fleet', 'on', `>${PASSWORD}`, '~*', '&*', '+@all');
      const url = `redis://fleet:${PASSWORD}@127.0.0.1:${server.port}`;
      const runs = await Promise.all(SERVICES.map((app) => start(app, url)));
      await Promise.all([
        waitForOutput(runs[0]!, /worker started/),
        waitForOutput(runs[1]!, /ingress listening/),
        waitForOutput(runs[2]!, /dashboard listening/),
      ]);
      await admin.call('ACL', 'SETUSER', 'fleet', 'resetpass', '>rotated-pw');
      await admin.call('CLIENT', 'KILL', 'USER', 'fleet');
      await Promise.all(runs.map((run) => waitForOutput(run, /WRONGPASS/)));
      for (const run of runs) {
        run.child.kill('SIGKILL');
        await run.exited;
        expect({ app: run.app, hasPassword: run.output.join('').includes(PASSWORD) }).toEqual({
          app: run.app,
          hasPassword: false,
        });
      }
    } finally {
      admin.disconnect();
    }
  }, 120_000);
});

describe('a cluster REDIS_URL that leads to no cluster', () => {
  it('fails start-up with one line naming the nodes and the problem: a dead port, or a standalone server', async () => {
    const deadPort = await freePort();
    const cases = [
      { url: `redis+cluster://127.0.0.1:${deadPort}`, problem: /none of these nodes answered/ },
      {
        url: `redis+cluster://:${ADMIN_PASSWORD}@127.0.0.1:${server.port}`,
        problem: /cluster support disabled/,
      },
    ];
    for (const { url, problem } of cases) {
      const redis = createRedis(url, { role: 'worker' });
      try {
        const checked = checkRedisAtStart(redis, url);
        await expect(checked).rejects.toBeInstanceOf(RedisStartupError);
        await expect(checked).rejects.toThrow(problem);
      } finally {
        redis.disconnect();
      }
    }
    const runs = await Promise.all(cases.map(({ url }) => start('ingress', url)));
    for (const [index, run] of runs.entries()) {
      expect(await exitOrKill(run)).toBe(1);
      const fatal = run.output
        .join('')
        .split('\n')
        .filter((line) => line.includes('"level":60'));
      expect(fatal).toHaveLength(1);
      expect(fatal[0]).toMatch(cases[index]!.problem);
      expect(fatal[0]).not.toContain(ADMIN_PASSWORD);
    }
  }, 120_000);
});
