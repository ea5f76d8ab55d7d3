// `npm test`: installs dependencies when missing, then runs jest. Jest's global setup (test/global-setup.mjs)
// starts throwaway Postgres/Redis when DATABASE_URL / REDIS_URL are unset and applies migrations.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, ensureDependencies } from './bootstrap.mjs';

ensureDependencies();
const nodeOptions = [
  process.env.NODE_OPTIONS,
  '--experimental-vm-modules',
  '--disable-warning=ExperimentalWarning',
]
  .filter(Boolean)
  .join(' ');
const result = spawnSync(
  process.execPath,
  [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions } },
);
process.exit(result.status ?? 1);
