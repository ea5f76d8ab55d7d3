// `kombo-sync pause|resume|configure` as a real process (bin → tsx → main.ts) against real Postgres and Redis.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getIntegration, upsertIntegration } from '@kombo-sync/db';
import { peekIntent, publishScheduleDefaults, SYNC_QUEUE } from '@kombo-sync/queue';
import { openQueueSuite, type QueueSuite } from '../testing/queue-suite.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const BIN = fileURLToPath(new URL('../../bin/kombo-sync.mjs', import.meta.url));
const ID = 'personio:controls';
const HOUR_MS = 3_600_000;
let suite: QueueSuite;
let databaseUrl: string;

beforeAll(async () => {
  suite = await openQueueSuite();
  databaseUrl = suite.databaseUrl;
  await upsertIntegration(suite.database, { id: ID, tool: 'personio', category: 'HRIS', state: 'ACTIVE' });
});

afterAll(async () => {
  await suite.close();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: suite.prefix,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('kombo-sync pause / resume / configure', () => {
  it('pause keeps work recorded; resume enqueues the catch-up sync', async () => {
    const paused = await cli(['pause', ID]);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/Paused personio:controls/);
    const row = await getIntegration(suite.database, ID);
    expect(row?.isPaused).toBe(true);
    expect(row?.pauseChangedAt).toBeInstanceOf(Date);
    expect(await suite.queue.getWaitingCount()).toBe(0);

    const again = await cli(['pause', ID]);
    expect(again.stdout).toMatch(/already paused/);

    const resumed = await cli(['resume', ID, '--json']);
    expect(resumed.code).toBe(0);
    const json = JSON.parse(resumed.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ integrationId: ID, isPaused: false, models: null });
    expect(json['jobId']).toEqual(expect.any(String));
    expect((await getIntegration(suite.database, ID))?.isPaused).toBe(false);
    expect(await peekIntent(suite.redis, suite.prefix, ID)).toMatchObject({
      models: 'all',
      full: false,
      triggers: ['resume'],
    });
    const job = await suite.queue.getJob(json['jobId'] as string);
    expect(job?.queueName).toBe(SYNC_QUEUE);
    expect(job?.data).toMatchObject({ integrationId: ID });
  });

  it('configure sets the model subset; widening it enqueues a sync', async () => {
    const set = await cli(['configure', ID, '--models', 'hris_employees,hris_absences']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/models: +hris_employees, hris_absences/);
    expect((await getIntegration(suite.database, ID))?.models).toEqual(['hris_employees', 'hris_absences']);

    const bad = await cli(['configure', ID, '--models', 'ats_jobs']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown model: ats_jobs/);

    const all = await cli(['configure', ID, '--models', 'all']);
    expect(all.code).toBe(0);
    expect((await getIntegration(suite.database, ID))?.models).toBeNull();
    expect(all.stdout).toMatch(/every enabled model/);
    expect(all.stdout).toMatch(/Sync of the added models enqueued/);
    expect((await peekIntent(suite.redis, suite.prefix, ID))?.triggers).toContain('models-changed');
  });

  it('configure sets intervals and re-registers the scheduler on its phase', async () => {
    const tooShort = await cli(['configure', ID, '--full-interval', '10s']);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toMatch(/--full-interval must be at least 1m/);
    expect((await cli(['configure', ID, '--safety-net-interval', 'soon'])).code).toBe(2);

    // Before any worker published the fleet's defaults, the row changes and the scheduler waits for a worker.
    const early = await cli(['configure', ID, '--safety-net-interval', '2h']);
    expect(early.code).toBe(0);
    expect(early.stdout).toMatch(/apply when one starts/);
    expect((await getIntegration(suite.database, ID))?.safetyNetIntervalMs).toBe(2 * HOUR_MS);

    await publishScheduleDefaults(suite.redis, suite.prefix, {
      fullEveryMs: 168 * HOUR_MS,
      safetyNetEveryMs: 6 * HOUR_MS,
    });
    const set = await cli(['configure', ID, '--safety-net-interval', '3h', '--full-interval', '2d']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/full sync every: +2d/);
    expect(set.stdout).toMatch(/safety net every: +3h/);
    expect((await suite.queue.getJobScheduler(`sync:${ID}`))?.every).toBe(3 * HOUR_MS);

    const reset = await cli([
      'configure',
      ID,
      '--safety-net-interval',
      'default',
      '--full-interval',
      'default',
    ]);
    expect(reset.stdout).toMatch(/safety net every: +fleet default \(6h\)/);
    expect((await suite.queue.getJobScheduler(`sync:${ID}`))?.every).toBe(6 * HOUR_MS);
  });

  it('unknown integration: exit 3', async () => {
    const unknown = await cli(['pause', 'personio:nope']);
    expect(unknown.code).toBe(3);
  });
});
