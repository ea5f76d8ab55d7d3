// Jest global setup: throwaway Postgres/Redis when DATABASE_URL / REDIS_URL are unset (stopped in global-teardown),
// then the committed migrations. Test workers inherit the URLs through process.env.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../scripts/bootstrap.mjs';
import { startLocalServices } from '../scripts/local-services.mjs';

export default async function globalSetup() {
  const services = await startLocalServices({ log: (msg) => process.stderr.write(`\nkombo-sync: ${msg}`) });
  globalThis.__KOMBO_SYNC_SERVICES__ = services;
  Object.assign(process.env, services.env);
  const migrate = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    ['packages/db/src/migrate-cli.ts'],
    {
      cwd: ROOT,
      env: process.env,
      encoding: 'utf8',
    },
  );
  if (migrate.error || migrate.status !== 0) {
    await services.stop();
    throw new Error(`migrations failed: ${migrate.stderr || migrate.error}`);
  }
}
