// Test-only helpers (imported by *.int.test.ts here and in /test); not used by the command.
import { randomUUID } from 'node:crypto';
import { createDatabase, migrate, type Database } from '@kombo-sync/db';
import type { Redis } from 'ioredis';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kombo_sync';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh database `cli_test_<random>` with the migrations applied; `drop()` closes and drops it. */
export async function createTestDatabase(): Promise<{
  database: Database;
  url: string;
  drop(): Promise<void>;
}> {
  const name = `cli_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await createDatabase({ url: url.toString(), poolSize: 4 });
  await migrate(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** A unique Redis key prefix (a Cluster hash tag) for one suite. */
export function testPrefix(): string {
  return `{cli-test-${randomUUID().slice(0, 8)}}`;
}

/** Deletes every key under the prefix. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}
