/**
 * Bench plumbing: the sandbox in its own child process (so its data generation never shares the event loop with
 * the code measured), a throwaway migrated database per run, and small helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@kombo-sync/db/testing';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SANDBOX_KEY = 'bench-key';

/** Every child spawnApp started that is still running: killed when the bench process exits, however it exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Spawns `node [nodeFlags] <script>` (TypeScript through tsx) from the repo root and resolves with the first stdout
 * line matching `pattern`. The child never outlives the bench process.
 */
export async function spawnApp(
  script: string,
  env: Record<string, string>,
  pattern: RegExp,
  { timeoutMs = 30_000, nodeFlags = [] }: { timeoutMs?: number; nodeFlags?: readonly string[] } = {},
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  // A built bundle (.mjs) runs on plain node; TypeScript through `node --import tsx` (not the tsx CLI, which
  // forks): either way the pid is the process that does the work.
  const args = [...nodeFlags, ...(script.endsWith('.mjs') ? [script] : ['--import', 'tsx', script])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const found = pattern.exec(out);
      if (found) {
        clearTimeout(timer);
        // Keep draining so a chatty child never blocks on a full pipe.
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before starting`));
    });
  });
  child.stdout?.on('data', () => undefined);
  return { child, match };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export interface SandboxProcess {
  /** Base URL incl. /v1. */
  url: string;
  adminUrl: string;
  pid: number;
  admin<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `tsx apps/sandbox/src/main.ts` on a free port, with optional webhook target. */
export async function startSandbox(
  opts: { webhookUrl?: string; webhookSecret?: string } = {},
): Promise<SandboxProcess> {
  const env: Record<string, string> = {
    SANDBOX_PORT: '0',
    SANDBOX_API_KEY: SANDBOX_KEY,
    SANDBOX_SEED: '1',
    LOG_LEVEL: 'info',
  };
  if (opts.webhookUrl) env['SANDBOX_WEBHOOK_URL'] = opts.webhookUrl;
  if (opts.webhookSecret) env['SANDBOX_WEBHOOK_SECRET'] = opts.webhookSecret;
  const { child, match } = await spawnApp(
    'apps/sandbox/src/main.ts',
    env,
    /"url":"([^"]+)","adminUrl":"([^"]+)"/,
  );
  const url = match[1] as string;
  const adminUrl = match[2] as string;
  return {
    url,
    adminUrl,
    pid: child.pid as number,
    async admin<T>(method: string, route: string, body?: unknown): Promise<T> {
      const response = await fetch(`${adminUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${SANDBOX_KEY}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`sandbox ${method} ${route}: ${response.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    stop: () => stopChild(child),
  };
}

/** Creates and migrates `kombo_bench_<random>` on the server of `baseUrl`; `drop()` removes it. */
export function createBenchDatabase(baseUrl: string, poolSize = 6): Promise<TestDatabase> {
  return createTestDatabase(baseUrl, { poolSize, namePrefix: 'kombo_bench' });
}

/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The item whose `value` is the median (the lower middle one for an even count): one whole run, not a mix. */
export function medianBy<T>(items: readonly T[], value: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

/** Wall-clock seconds of `fn`. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

export const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (0 when it is gone). */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12] are utime and stime (the 14th and 15th fields), in clock ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
