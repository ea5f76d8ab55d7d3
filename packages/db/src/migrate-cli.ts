/**
 * `npm run db:migrate`, the image's `migrate`: applies the committed migrations to DATABASE_URL and exits; non-zero
 * on failure, with a message naming the host (never the password). Concurrent runs apply each migration once (an
 * advisory lock; the others wait, then find nothing to do).
 * `--wait`: applies nothing; waits until every migration of this release is applied (by a migration Job running
 * meanwhile), printing one line while it waits, then exits 0: an init container that holds an app back until then.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseSettings, loadConfigOrExit } from '@kombo-sync/config';
import { describeOldSchema, readSchemaStatus } from './check-schema.js';
import { createDatabase, describeDatabaseUrl, type Database } from './create-database.js';
import { migrate } from './migrate.js';

/** How often `--wait` looks at the schema again. */
const WAIT_POLL_MS = 2_000;

const config = loadConfigOrExit(databaseSettings);
const target = describeDatabaseUrl(config.databaseUrl);
const isWaitOnly = process.argv.slice(2).includes('--wait');

async function waitForSchema(database: Database): Promise<void> {
  let hasSaid = false;
  for (;;) {
    const status = await readSchemaStatus(database);
    if (status.isCurrent) break;
    if (!hasSaid) process.stdout.write(`Waiting for the migrations: ${describeOldSchema(status, 'app')}\n`);
    hasSaid = true;
    await sleep(WAIT_POLL_MS);
  }
  process.stdout.write(`Schema of ${target} is current\n`);
}

try {
  const database = await createDatabase({ url: config.databaseUrl, poolSize: 2 });
  try {
    if (isWaitOnly) await waitForSchema(database);
    else {
      await migrate(database);
      process.stdout.write(`Migrations applied to ${target}\n`);
    }
  } finally {
    await database.close();
  }
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Migration of ${target} failed: ${message}\n`);
  process.exitCode = 1;
}
