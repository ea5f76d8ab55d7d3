// Test support (`@kombo-sync/db/testing`): a throwaway database per suite on the server of `baseUrl`.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from '../create-database.js';
import { migrate } from '../migrate.js';

export interface TestDatabase {
  database: Database;
  url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function maintenance<T>(baseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabaseName(baseUrl, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `<namePrefix>_<random>` (default `kombo_test`) on the server of `baseUrl`, migrated unless
 * `shouldMigrate` is false, with a pool of `poolSize` connections (default 4).
 */
export async function createTestDatabase(
  baseUrl: string,
  options: { shouldMigrate?: boolean; poolSize?: number; namePrefix?: string } = {},
): Promise<TestDatabase> {
  const name = `${options.namePrefix ?? 'kombo_test'}_${randomBytes(6).toString('hex')}`;
  await maintenance(baseUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = withDatabaseName(baseUrl, name);
  const database = await createDatabase({ url, poolSize: options.poolSize ?? 4 });
  if (options.shouldMigrate !== false) await migrate(database);
  return {
    database,
    url,
    drop: async () => {
      await database.close();
      await maintenance(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
