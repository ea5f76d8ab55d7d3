/**
 * `npm run db:migrate`: applies the committed migrations to DATABASE_URL and exits; non-zero on failure, with a
 * message naming the host (never the password).
 */
import { databaseSettings, loadConfigOrExit } from '@kombo-sync/config';
import { createDatabase, describeDatabaseUrl } from './create-database.js';
import { migrate } from './migrate.js';

const config = loadConfigOrExit(databaseSettings);
const target = describeDatabaseUrl(config.databaseUrl);
try {
  const database = await createDatabase({ url: config.databaseUrl, poolSize: 2 });
  try {
    await migrate(database);
    process.stdout.write(`Migrations applied to ${target}\n`);
  } finally {
    await database.close();
  }
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Migration of ${target} failed: ${message}\n`);
  process.exitCode = 1;
}
