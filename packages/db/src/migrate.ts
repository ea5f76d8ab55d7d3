import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate as drizzleMigrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';
import type { Database } from './create-database.js';

/** The committed migrations: the repo's root drizzle/ folder, found from this file so any cwd works. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/** Arbitrary constant key of the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Applies the committed migrations not yet applied (tracked in drizzle.__drizzle_migrations), so running it
 * again is a no-op. Holds a Postgres advisory lock meanwhile: processes starting together wait for each other
 * instead of racing on the same DDL.
 */
export async function migrate(database: Database): Promise<void> {
  const client = await database.pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await drizzleMigrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    // A connection that failed mid-migration is discarded rather than returned to the pool holding the lock.
    client.release(failure);
  }
}
