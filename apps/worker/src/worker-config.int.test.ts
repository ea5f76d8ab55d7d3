// A misconfigured worker process (tsx apps/worker/src/main.ts) refuses to start: it exits non-zero naming every bad
// variable, before it connects to anything, and never echoes a secret.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SECRET = 'sk_live_worker_config_secret';
const modules = mkdtempSync(path.join(tmpdir(), 'worker-config-'));
afterAll(() => rmSync(modules, { recursive: true, force: true }));

/** Starts the worker with `env` and returns its exit code and stderr once it exits. */
async function runWorker(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env['PATH'],
      // Nothing listens here: the worker must stop before it connects.
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:1',
      KOMBO_API_KEY: SECRET,
      WORKER_METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      ...env,
    },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('worker process with a bad configuration', () => {
  it('names SYNC_ENABLED_MODELS and a missing SYNC_HANDLERS_MODULE together with the other bad variables', async () => {
    const { code, stderr } = await runWorker({
      SYNC_ENABLED_MODELS: 'hris_employees,hris_bogus',
      SYNC_HANDLERS_MODULE: './missing.mjs',
      SYNC_PAGE_SIZE: '500',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration (3 problems)');
    expect(stderr).toMatch(/- SYNC_ENABLED_MODELS: entry 2 of 2 is not a catalog model; valid names: /);
    expect(stderr).toContain('- SYNC_HANDLERS_MODULE: must name an existing module file');
    expect(stderr).toContain('- SYNC_PAGE_SIZE: must be at most 250');
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('names each bad variable of a named Kombo environment, without echoing its key', async () => {
    const { code, stderr } = await runWorker({
      KOMBO_ENVIRONMENTS: 'us,dev',
      KOMBO_US_API_KEY: 'sk_us_secret_key',
      KOMBO_US_API_URL: 'ftp://api.us.kombo.dev',
      KOMBO_US_MAX_REQUESTS_PER_SECOND: '-1',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration (3 problems)');
    expect(stderr).toContain('- KOMBO_US_API_URL: must be a URL starting with http:// or https://');
    expect(stderr).toContain('- KOMBO_US_MAX_REQUESTS_PER_SECOND: must be at least 0.01');
    expect(stderr).toContain('- KOMBO_DEV_API_KEY: is required');
    expect(stderr).not.toContain('sk_us_secret_key');

    const names = await runWorker({ KOMBO_ENVIRONMENTS: 'us,US' });
    expect(names.code).toBe(1);
    expect(names.stderr).toMatch(/- KOMBO_ENVIRONMENTS: entry 2: /);
  }, 30_000);

  it('refuses a request budget below 0.01/s and a timer beyond Node’s longest (2^31-1 ms), naming each', async () => {
    const { code, stderr } = await runWorker({
      KOMBO_MAX_REQUESTS_PER_SECOND: '1e-9',
      WORKER_SHUTDOWN_TIMEOUT_MS: '1000000000000',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration (2 problems)');
    expect(stderr).toContain('- KOMBO_MAX_REQUESTS_PER_SECOND: must be at least 0.01');
    expect(stderr).toContain('- WORKER_SHUTDOWN_TIMEOUT_MS: must be at most 2147483647');
  }, 30_000);

  it('refuses a cluster REDIS_URL with a prefix that is no hash tag, and a malformed cluster URL, without echoing it', async () => {
    const password = 'cluster-password-secret';
    const { code, stderr } = await runWorker({
      REDIS_URL: `redis+cluster://:${password}@127.0.0.1:1,127.0.0.1`,
      QUEUE_PREFIX: 'kombo-sync',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('- REDIS_URL: cluster node 2 of 2 is not host:port');
    expect(stderr).not.toContain(password);
    const tagless = await runWorker({ REDIS_URL: 'redis+cluster://127.0.0.1:1', QUEUE_PREFIX: 'kombo-sync' });
    expect(tagless.code).toBe(1);
    expect(tagless.stderr).toContain('Invalid configuration (1 problem)');
    expect(tagless.stderr).toContain('- QUEUE_PREFIX: must contain a Redis Cluster hash tag');
  }, 30_000);

  it('names SYNC_HANDLERS_MODULE when the module exists but fails to import or exports no valid handlers', async () => {
    const throwing = path.join(modules, 'throwing.mjs');
    writeFileSync(throwing, "throw new Error('handlers module failed to start');\n");
    const empty = path.join(modules, 'empty.mjs');
    writeFileSync(empty, 'export const somethingElse = 1;\n');
    const wrongModel = path.join(modules, 'wrong-model.mjs');
    writeFileSync(wrongModel, 'export const handlers = { hris_bogus: () => undefined };\n');

    const results = await Promise.all([
      runWorker({ SYNC_HANDLERS_MODULE: throwing }),
      runWorker({ SYNC_HANDLERS_MODULE: empty }),
      runWorker({ SYNC_HANDLERS_MODULE: wrongModel }),
    ]);
    expect(results.map((result) => result.code)).toEqual([1, 1, 1]);
    expect(results[0]?.stderr).toContain(
      `SYNC_HANDLERS_MODULE ${throwing} could not be imported: handlers module failed to start`,
    );
    expect(results[1]?.stderr).toContain(`SYNC_HANDLERS_MODULE ${empty} must export \`handlers\``);
    expect(results[2]?.stderr).toContain(
      `SYNC_HANDLERS_MODULE ${wrongModel}: hris_bogus is not a catalog model`,
    );
    for (const { stderr } of results) {
      expect(stderr).not.toContain(SECRET);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  }, 30_000);
});
