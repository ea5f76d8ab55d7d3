// Test support (not production code): runs the `kombo-sync` CLI process against a worker harness's Postgres and
// Redis prefix, as an operator would.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../apps/cli/bin/kombo-sync.mjs', import.meta.url));

/** What the harness gives the CLI: its database URL, Redis URL and key prefix. */
export interface CliTarget {
  testDb: { url: string };
  redisUrl: string;
  prefix: string;
}

/** Runs `kombo-sync <args>` with only the fleet's variables set; resolves with its exit code and output. */
export function runCli(
  target: CliTarget,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: target.testDb.url,
    REDIS_URL: target.redisUrl,
    QUEUE_PREFIX: target.prefix,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
