// The migrator as real processes (`tsx packages/db/src/migrate-cli.ts`), as a deploy runs it: several at once apply
// each migration once and all succeed; `--wait` holds until another process has migrated.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readSchemaStatus } from './check-schema.js';
import { MIGRATIONS_FOLDER } from './migrate.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const ROOT = path.resolve(import.meta.dirname, '../../..');
const JOURNAL = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
  entries: { tag: string; when: number }[];
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the migrator on `url` with `args`; `exited` resolves with its code and output. */
function startMigrator(url: string, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/db/src/migrate-cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'], DATABASE_URL: url },
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  const exited = once(child, 'exit').then(([code]) => ({ ...run, code: code as number | null }));
  return { child, run, exited };
}

describe('migrate as processes', () => {
  let test: TestDatabase | undefined;
  afterEach(async () => {
    await test?.drop();
    test = undefined;
  });

  it('five migrators started together apply each migration once, and all succeed', async () => {
    test = await createTestDatabase(TEST_DATABASE_URL, { shouldMigrate: false });
    const runs = await Promise.all(Array.from({ length: 5 }, () => startMigrator(test!.url).exited));
    for (const run of runs) {
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain('Migrations applied to');
    }
    const { rows } = await test.database.pool.query<{ created_at: string }>(
      'SELECT created_at::text FROM drizzle.__drizzle_migrations ORDER BY id',
    );
    expect(rows.map((row) => Number(row.created_at))).toEqual(JOURNAL.entries.map((entry) => entry.when));
    expect((await readSchemaStatus(test.database)).isCurrent).toBe(true);
  }, 120_000);

  it('--wait holds while migrations are missing and exits 0 once another process applied them', async () => {
    test = await createTestDatabase(TEST_DATABASE_URL, { shouldMigrate: false });
    const waiter = startMigrator(test.url, ['--wait']);
    const deadline = Date.now() + 30_000;
    while (!waiter.run.stdout.includes('Waiting for the migrations')) {
      if (Date.now() > deadline || waiter.child.exitCode !== null)
        throw new Error(`--wait did not wait: ${waiter.run.stdout}${waiter.run.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(waiter.run.stdout).toContain(`this release expects ${JOURNAL.entries.length}`);
    // Nothing applied by the waiter itself.
    expect((await readSchemaStatus(test.database)).applied.count).toBe(0);
    expect((await startMigrator(test.url).exited).code).toBe(0);
    const waited = await waiter.exited;
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain('is current');
  }, 120_000);
});
