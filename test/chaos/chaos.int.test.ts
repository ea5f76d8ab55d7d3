// The product's proof that the Postgres mirror is exact: the real fleet as separate processes under chaos, then a
// row-by-row comparison with the sandbox's truth (see run-chaos.ts). `npm test` runs a small configuration;
// `npm run test:chaos` reads CHAOS_DURATION_S, CHAOS_INTEGRATIONS, CHAOS_EMPLOYEES, CHAOS_SLICE_MS and CHAOS_SEED
// for longer runs.
import { randomInt } from 'node:crypto';
import { afterAll, expect, it, jest } from '@jest/globals';
import { createChaosRun } from './run-chaos.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const numberFromEnv = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer`);
  return parsed;
};

const seed = numberFromEnv('CHAOS_SEED', randomInt(1, 2 ** 31 - 1));
const durationS = numberFromEnv('CHAOS_DURATION_S', 60);
// Setup and the first syncs, the chaos, the drain (bounded at 180 s) and the comparison.
jest.setTimeout((durationS + 420) * 1000);

const write = (line: string): void => void process.stdout.write(`${line}\n`);
const chaos = createChaosRun({
  seed,
  durationS,
  integrations: numberFromEnv('CHAOS_INTEGRATIONS', 20),
  employees: numberFromEnv('CHAOS_EMPLOYEES', 12),
  sliceMs: numberFromEnv('CHAOS_SLICE_MS', 500),
  databaseUrl: TEST_DATABASE_URL,
  log: write,
});

afterAll(async () => {
  const leftovers = await chaos.close();
  expect(leftovers).toEqual([]);
});

it('keeps the mirror exact under webhook chaos, Kombo faults, worker kills, a Redis restart and clock skew', async () => {
  const result = await chaos.run();
  write(result.summary);
  write(`chaos: details ${JSON.stringify(result.details)}`);
  if (result.problems.length > 0) write(`chaos: seed=${seed} problems:\n${result.problems.join('\n')}`);
  expect({
    missing: result.counts.missing,
    stale: result.counts.stale,
    phantom: result.counts.phantom,
    // Stale embedded copies after the final webhooks, before the full sync.
    unreported: result.details['unreported'],
  }).toEqual({
    missing: 0,
    stale: 0,
    phantom: 0,
    unreported: 0,
  });
  expect(result.counts.kills).toBeGreaterThanOrEqual(10);
  expect(result.counts.redisRestarts).toBe(1);
  expect(result.problems).toEqual([]);
});
