// Installs dependencies on a fresh clone, so `npm start` and `npm test` are the only two commands a newcomer needs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `npm ci` (or `npm install` without a lockfile) when node_modules is missing or incomplete. */
export function ensureDependencies() {
  const marker = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  if (existsSync(marker)) return;
  const args = existsSync(path.join(ROOT, 'package-lock.json')) ? ['ci'] : ['install'];
  process.stderr.write(`kombo-sync: installing dependencies (npm ${args[0]})…\n`);
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('kombo-sync: dependency installation failed\n');
    process.exit(result.status ?? 1);
  }
}

/**
 * Runs jest (ESM through `--experimental-vm-modules`, on top of the caller's NODE_OPTIONS) from the root with
 * `args`, and exits with its status.
 */
export function runJestAndExit(args) {
  const nodeOptions = [
    process.env.NODE_OPTIONS,
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
  ]
    .filter(Boolean)
    .join(' ');
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...args],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NODE_OPTIONS: nodeOptions },
    },
  );
  process.exit(result.status ?? 1);
}
