// An app deployed before its release's migrations ran (a rollout that skipped `migrate`, or raced it) exits at
// once with one line naming the migrations it expects and those the database has, instead of failing mid-run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@kombo-sync/db/testing';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL } = testServices();

const ROOT = new URL('..', import.meta.url).pathname;

describe('an app on a schema older than it needs', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
    await test.database.pool.query(
      'DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations)',
    );
  });
  afterAll(async () => {
    await test.drop();
  });

  it.each([
    ['worker', { KOMBO_API_KEY: 'unused', KOMBO_API_URL: 'http://127.0.0.1:1/v1', WORKER_METRICS_PORT: '0' }],
    ['dashboard', { DASHBOARD_PORT: '0', DASHBOARD_TOKEN: 'unused-token' }],
  ])(
    '%s exits 1 with one line saying so',
    async (app, env) => {
      const child = spawn(process.execPath, ['--import', 'tsx', `apps/${app}/src/main.ts`], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          PATH: process.env['PATH'],
          DATABASE_URL: test.url,
          REDIS_URL: TEST_REDIS_URL,
          QUEUE_PREFIX: '{schema-too-old}',
          LOG_LEVEL: 'warn',
          ...env,
        },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^The database schema is older than this ${app} needs: it has \\d+ migrations .*missing `),
      );
    },
    60_000,
  );
});
