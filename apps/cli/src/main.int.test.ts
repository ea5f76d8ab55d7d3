// The `kombo-sync` launcher end to end (bin → tsx → main.ts): exit codes and messages scripts rely on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { upsertIntegration, type Database } from '@kombo-sync/db';
import { createTestDatabase, testPrefix } from './testing/queue-suite.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const BIN = fileURLToPath(new URL('../bin/kombo-sync.mjs', import.meta.url));
let database: Database;
let databaseUrl: string;
let drop: () => Promise<void>;
let closedPort: number;

beforeAll(async () => {
  ({ database, url: databaseUrl, drop } = await createTestDatabase());
  await upsertIntegration(database, {
    id: 'personio:a',
    tool: 'personio',
    category: 'HRIS',
    state: 'ACTIVE',
  });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
});

afterAll(async () => {
  await drop();
});

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const fullEnv = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: testPrefix(),
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: fullEnv, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the CLI with a reader that has gone away before it prints (`kombo-sync … | head -0`). */
async function cliIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: testPrefix(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('kombo-sync exit codes', () => {
  it('0 with parseable JSON, 2 for usage errors, 3 for an unknown integration, 4 for unreachable services', async () => {
    const [json, unknown, badModel, noRedis, noPostgres] = await Promise.all([
      cli(['status', '--json']),
      cli(['sync', 'nope:x']),
      cli(['sync', 'personio:a', '--models', 'hris_employees,bogus']),
      cli(['retry-failed'], { REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${closedPort}` }),
      cli(['status'], { DATABASE_URL: `postgres://postgres:s3cret-pw@127.0.0.1:${closedPort}/kombo` }),
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ integrations: [{ id: 'personio:a' }] });

    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Unknown integration: nope:x');

    expect(badModel.code).toBe(2);
    expect(badModel.stderr).toMatch(/Unknown model: bogus; valid models: hris_employees/);

    expect(noRedis.code).toBe(4);
    expect(noRedis.stderr).toContain(`Cannot reach Redis at 127.0.0.1:${closedPort}`);
    expect(noRedis.stderr).toContain('ECONNREFUSED');
    expect(noRedis.stderr).not.toContain('s3cret');

    expect(noPostgres.code).toBe(4);
    expect(noPostgres.stderr).toContain(`Cannot connect to Postgres at 127.0.0.1:${closedPort}/kombo`);
    expect(noPostgres.stderr).not.toContain('s3cret');
  });

  it('a reader that goes away (| head) ends every command quietly, with the command’s own exit code', async () => {
    const [paused, resumed, status, unknown] = await Promise.all([
      cliIntoClosedPipe(['pause', 'personio:a']),
      cliIntoClosedPipe(['resume', 'personio:a']),
      cliIntoClosedPipe(['status']),
      cliIntoClosedPipe(['sync', 'nope:x']),
    ]);
    for (const run of [paused, resumed, status]) expect(run).toEqual({ code: 0, stderr: '' });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Unknown integration: nope:x');
    expect(unknown.stderr).not.toContain('EPIPE');
  });

  it('2 for an unknown command, a missing --all or a backfill pace past what a timer can wait', async () => {
    const [bogus, backfill, slow] = await Promise.all([
      cli(['bogus']),
      cli(['backfill']),
      cli(['backfill', '--all', '--rate', '1e-9']),
    ]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("unknown command 'bogus'");
    expect(backfill.code).toBe(2);
    expect(backfill.stderr).toContain('backfill needs --all');
    expect(slow.code).toBe(2);
    expect(slow.stderr).toContain('must be at least 0.001');
  });
});
