// Small helpers of the chaos run (test/chaos/run-chaos.ts): a seeded PRNG, comparison helpers, a metrics parser and
// a child-process runner.
import { spawn } from 'node:child_process';
import { ROOT } from '../support/fleet.js';
import { testServices } from '@kombo-sync/config/testing';

/** mulberry32: a small seeded PRNG, so a seed replays the run's choices. */
export function createRng(seed: number): { next(): number; int(min: number, max: number): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `value` with every object's keys sorted, so JSON texts compare equal whatever the key order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => [key, sortKeys(item)]),
    );
  }
  return value;
}

export const isoOrNull = (ms: number | null): string => (ms === null ? 'null' : new Date(ms).toISOString());
export const parseMs = (value: unknown): number | null =>
  typeof value === 'string' ? Date.parse(value) : null;

/** Sum of `kombo_sync_kombo_requests_total{outcome="error"}` in a Prometheus exposition. */
export function komboErrorsOf(exposition: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('kombo_sync_kombo_requests_total{') && line.includes('outcome="error"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
    }
  }
  return total;
}

/** Runs a command from the repo root with only `env` (plus PATH and HOME); resolves with its output on exit 0. */
export function runToCompletion(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...testServices().processEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${args.join(' ')} exited ${code}: ${output}`)),
    );
  });
}
