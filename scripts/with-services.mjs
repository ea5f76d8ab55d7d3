// Runs a command with DATABASE_URL / REDIS_URL set: the configured ones, or throwaway local servers started for
// the command and stopped after it (used by `npm run db:migrate` and `npm run bench`).
import { spawn } from 'node:child_process';
import { ROOT, ensureDependencies } from './bootstrap.mjs';
import { startLocalServices } from './local-services.mjs';

ensureDependencies();
const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/with-services.mjs <command> [args…]\n');
  process.exit(2);
}
let services;
try {
  services = await startLocalServices({ log: (msg) => process.stderr.write(`kombo-sync: ${msg}\n`) });
} catch (err) {
  process.stderr.write(`kombo-sync: ${err.message}\n`);
  process.exit(1);
}
const child = spawn(command, args, {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, ...services.env, PATH: `${ROOT}/node_modules/.bin:${process.env.PATH}` },
});
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', async (code, signal) => {
  await services.stop();
  process.exit(code ?? (signal ? 1 : 0));
});
