// Lifecycle webhooks end to end: integration-deleted under SYNC_ON_INTEGRATION_DELETED=delete and =soft,
// integration-state-changed INACTIVE (pause) → ACTIVE (resume with a delta of every model), an integration first
// seen through data-changed, a re-created id, ids Kombo does not know, and INTEGRATION_NOT_FOUND under the grace.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countRows, getIntegration, getRecentRuns, getSyncStates, listIntegrations } from '@kombo-sync/db';
import { createMetrics, type Metrics } from '@kombo-sync/metrics';
import type { SyncWorker, SyncWorkerDeps } from './create-sync-worker.js';
import type { WorkerConfig } from './worker-config.js';
import {
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from './testing/worker-harness.js';

let h: WorkerHarness;
let worker: SyncWorker | undefined;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** One worker at a time, with the given settings. */
async function useWorker(
  config: Partial<WorkerConfig> = {},
  extra: { now?: SyncWorkerDeps['now']; metrics?: Metrics } = {},
): Promise<void> {
  await worker?.close(5_000);
  worker = h.startWorker({ config, ...extra });
}

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });
const deleted = (id: string, at: Date) => ({ ...created(id), deleted_at: at.toISOString() });
const state = (id: string, value: string, at: Date) => ({
  integration_id: id,
  state: value,
  updated_at: at.toISOString(),
});

async function schedulesOf(id: string): Promise<string[]> {
  return (await h.queue.getJobSchedulers())
    .map((scheduler) => scheduler.key)
    .filter((key) => key.endsWith(`:${id}`))
    .sort();
}

async function syncedIntegration(): Promise<string> {
  const { id } = h.sandbox.createIntegration({ sizes: { employees: 20 } });
  await h.trigger(id, { created: created(id), full: true });
  await h.waitForIdle();
  await h.expectExact(id, HRIS_TEST_MODELS);
  expect(await schedulesOf(id)).toEqual([`sync:${id}`]);
  return id;
}

describe('integration-deleted', () => {
  it('delete: the rows and the schedules are removed, the integration is marked deleted', async () => {
    await useWorker({ onIntegrationDeleted: 'delete' });
    const id = await syncedIntegration();
    const deletedAt = new Date('2026-11-01T10:00:00.000Z');
    await h.trigger(id, { deleted: deleted(id, deletedAt), triggers: ['integration-deleted'] });
    await h.waitForIdle();

    const counts = await countRows(h.database, id);
    for (const model of HRIS_TEST_MODELS) expect(counts[model]).toEqual({ total: 0, deleted: 0 });
    expect(await schedulesOf(id)).toEqual([]);
    expect((await getIntegration(h.database, id))?.deletedAt).toEqual(deletedAt);
  });

  it('soft: the rows are kept, marked deleted at the deletion time; schedules removed; integration marked', async () => {
    await useWorker({ onIntegrationDeleted: 'soft' });
    const id = await syncedIntegration();
    const before = await h.mirror(id, 'hris_employees');
    const deletedAt = new Date('2026-11-01T10:00:00.000Z');
    await h.trigger(id, { deleted: deleted(id, deletedAt), triggers: ['integration-deleted'] });
    await h.waitForIdle();

    const counts = await countRows(h.database, id);
    for (const model of HRIS_TEST_MODELS) {
      const truth = h.sandbox.truth(id, model);
      expect(counts[model]).toEqual({ total: truth.length, deleted: truth.length });
    }
    // Rows already deleted at Kombo keep their own deletion time; the others carry the integration's; raw is kept.
    const after = await h.mirror(id, 'hris_employees');
    for (const [rowId, row] of after) {
      const old = before.get(rowId);
      expect(row.raw).toEqual(old?.raw);
      expect(row.remoteDeletedAt).toEqual(old?.remoteDeletedAt ?? deletedAt);
    }
    expect(await schedulesOf(id)).toEqual([]);
    expect((await getIntegration(h.database, id))?.deletedAt).toEqual(deletedAt);

    // A later data-changed webhook for the deleted integration syncs nothing.
    h.sandbox.resetStats();
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    expect(h.sandbox.stats().byIntegration[id]?.requests ?? 0).toBe(0);
  });
});

describe('integration-state-changed', () => {
  it('INACTIVE pauses (a data-changed intent syncs nothing); ACTIVE resumes with a delta of every model', async () => {
    await useWorker();
    const id = await syncedIntegration();
    const t0 = Date.now();
    h.sandbox.setIntegrationState(id, 'INACTIVE');
    await h.trigger(id, {
      state: state(id, 'INACTIVE', new Date(t0)),
      triggers: ['integration-state-changed'],
    });
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.state).toBe('INACTIVE');
    const runsBefore = await getRecentRuns(h.database, id);

    // Changes while paused, across every model; the webhook names only one of them.
    h.sandbox.setIntegrationState(id, 'ACTIVE');
    h.sandbox.mutate(id, { updates: 3, creates: 2, deletes: 1, nestedUpdates: 1 });
    h.sandbox.resetStats();
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    expect(h.sandbox.stats().byIntegration[id]?.requests ?? 0).toBe(0);
    expect(await getRecentRuns(h.database, id)).toHaveLength(runsBefore.length);
    await expect(h.expectExact(id, HRIS_TEST_MODELS)).rejects.toThrow('mirror differs');

    await h.trigger(id, {
      state: state(id, 'ACTIVE', new Date(t0 + 1_000)),
      triggers: ['integration-state-changed'],
    });
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.state).toBe('ACTIVE');
    const [resumed] = await getRecentRuns(h.database, id, 1);
    expect(resumed?.kind).toBe('delta');
    expect(resumed?.status).toBe('succeeded');
    expect(Object.keys(resumed?.counts ?? {}).sort()).toEqual([...HRIS_TEST_MODELS].sort());
    await h.expectExact(id, HRIS_TEST_MODELS);
    expect(await schedulesOf(id)).toEqual([`sync:${id}`]);
  });
});

describe('integrations first seen otherwise than by integration-created', () => {
  it('data-changed first (integration-created lost): recorded from Kombo, every model synced in full', async () => {
    await useWorker();
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 20 } });
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();

    const row = await getIntegration(h.database, id);
    expect(row?.category).toBe('HRIS');
    expect(row?.state).toBe('ACTIVE');
    await h.expectExact(id, HRIS_TEST_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.kind).toBe('full');
    expect(Object.keys(run?.counts ?? {}).sort()).toEqual([...HRIS_TEST_MODELS].sort());
    expect(await schedulesOf(id)).toEqual([`sync:${id}`]);
  });

  it('an unknown ATS id is recorded with its category from Kombo, never HRIS', async () => {
    await useWorker();
    const { id } = h.sandbox.createIntegration({ category: 'ATS', sizes: { candidates: 5 } });
    await h.trigger(id, { models: ['ats_candidates'], triggers: ['data-changed'] });
    await h.waitForIdle();

    const row = await getIntegration(h.database, id);
    expect(row?.category).toBe('ATS');
    expect(row?.tool).toBe(id.split(':')[0]);
    expect(await h.countJobs('failed')).toBe(0);
  });

  it('an id Kombo does not know is not recorded, scheduled or retried', async () => {
    await useWorker();
    const id = 'personio:NoSuchIntegration11111';
    const jobId = await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();

    expect(await getIntegration(h.database, id)).toBeUndefined();
    expect((await listIntegrations(h.database, { includeDeleted: true })).map((row) => row.id)).not.toContain(
      id,
    );
    expect(await schedulesOf(id)).toEqual([]);
    expect(await (await h.getJob(jobId))?.getState()).toBe('completed');
    expect(await h.countJobs('failed')).toBe(0);
  });
});

describe('integration-created after integration-deleted (a re-created id)', () => {
  it('is live again: deleted_at cleared, schedules registered, synced', async () => {
    await useWorker({ onIntegrationDeleted: 'delete' });
    const id = await syncedIntegration();
    await h.trigger(id, {
      deleted: deleted(id, new Date('2026-11-01T10:00:00.000Z')),
      triggers: ['integration-deleted'],
    });
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.deletedAt).not.toBeNull();
    expect(await schedulesOf(id)).toEqual([]);

    await h.trigger(id, { created: created(id), full: true, triggers: ['integration-created'] });
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.deletedAt).toBeNull();
    expect(await schedulesOf(id)).toEqual([`sync:${id}`]);
    await h.expectExact(id, HRIS_TEST_MODELS);

    // Later webhooks are synced again.
    h.sandbox.mutate(id, { updates: 2, creates: 1 });
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    await h.expectExact(id, ['hris_employees']);
  });
});

describe('integration-deleted and integration-created pending together', () => {
  it('deleted then created before a run: the integration is live and synced', async () => {
    await useWorker();
    const id = await syncedIntegration();
    await worker?.close(5_000);
    worker = undefined;
    await h.trigger(id, {
      deleted: deleted(id, new Date('2026-11-01T10:00:00.000Z')),
      triggers: ['integration-deleted'],
    });
    await h.trigger(id, { created: created(id), full: true, triggers: ['integration-created'] });
    await useWorker();
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.deletedAt).toBeNull();
    expect(await schedulesOf(id)).toEqual([`sync:${id}`]);
    await h.expectExact(id, HRIS_TEST_MODELS);
  });
});

describe('INTEGRATION_NOT_FOUND is never a deletion by itself', () => {
  const MINUTE_MS = 60_000;
  const DAY_MS = 24 * 60 * MINUTE_MS;
  const t0 = Date.parse('2026-12-01T00:00:00.000Z');

  async function answerNotFound(id: string): Promise<void> {
    h.sandbox.deleteIntegration(id);
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
  }
  async function answerAgain(id: string): Promise<void> {
    h.sandbox.createIntegration({ id, sizes: { employees: 20 } });
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
  }
  async function expectKept(id: string, rowCounts: Awaited<ReturnType<typeof countRows>>): Promise<void> {
    const row = await getIntegration(h.database, id);
    expect(row?.state).not.toBe('NOT_FOUND');
    expect(row?.deletedAt).toBeNull();
    expect(await schedulesOf(id)).toEqual([`sync:${id}`]);
    const counts = await countRows(h.database, id);
    for (const model of HRIS_TEST_MODELS) expect(counts[model]?.total).toBe(rowCounts[model]?.total);
  }
  const decisions = async (metrics: Metrics) =>
    Object.fromEntries(
      (await metrics.integrationNotFound.get()).values.map((v) => [String(v.labels.decision), v.value]),
    );

  it('flapping for an hour under the default 24 h grace: flagged, rows and schedules kept; confirmed only after the grace', async () => {
    let nowMs = t0;
    const metrics = createMetrics({ service: 'worker' });
    await useWorker({}, { now: () => nowMs, metrics });
    const id = await syncedIntegration();
    const rowCounts = await countRows(h.database, id);

    await answerNotFound(id);
    expect((await getIntegration(h.database, id))?.notFoundSince).toEqual(new Date(t0));
    expect((await metrics.integrationsNotFoundFlagged.get()).values[0]?.value).toBe(1);
    await expectKept(id, rowCounts);

    nowMs = t0 + 20 * MINUTE_MS;
    await answerAgain(id);
    expect((await getIntegration(h.database, id))?.notFoundSince).toBeNull();
    expect((await metrics.integrationsNotFoundFlagged.get()).values[0]?.value).toBe(0);

    nowMs = t0 + 40 * MINUTE_MS;
    await answerNotFound(id);
    nowMs = t0 + 60 * MINUTE_MS;
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.notFoundSince).toEqual(new Date(t0 + 40 * MINUTE_MS));
    await expectKept(id, rowCounts);
    expect(await decisions(metrics)).toEqual({ flag: 3 });

    // Still NOT_FOUND a whole grace after the streak began: confirmed; schedules removed, rows kept.
    nowMs = t0 + 40 * MINUTE_MS + DAY_MS;
    await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
    await h.waitForIdle();
    const row = await getIntegration(h.database, id);
    expect(row?.state).toBe('NOT_FOUND');
    expect(row?.deletedAt).toBeNull();
    expect(await schedulesOf(id)).toEqual([]);
    const counts = await countRows(h.database, id);
    for (const model of HRIS_TEST_MODELS) expect(counts[model]?.total).toBe(rowCounts[model]?.total);
    expect(await decisions(metrics)).toEqual({ flag: 3, confirm: 1 });
    const environments = (await metrics.integrationNotFound.get()).values.map((v) => v.labels.environment);
    expect(new Set(environments)).toEqual(new Set(['default']));
    expect(await h.countJobs('failed')).toBe(0);
  });
});

describe('a key Kombo rejects (another environment or region)', () => {
  it('the worker process refuses to start: exit 1, one message naming the URL and its region', async () => {
    await worker?.close(5_000);
    worker = undefined;
    const child = spawnWorkerProcess(h, {
      env: { KOMBO_API_KEY: 'key-of-another-environment' },
      stdout: 'pipe',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    const fatal = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((line) => line.level >= 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.msg).toContain('Kombo rejected KOMBO_API_KEY (PLATFORM.AUTHENTICATION_INVALID)');
    expect(fatal[0]?.msg).toContain(
      `KOMBO_API_URL=${h.api.url}, region other (${new URL(h.api.url).origin})`,
    );
    expect(fatal[0]?.msg).toContain('EU https://api.kombo.dev/v1, US https://api.us.kombo.dev/v1');
    expect(fatal[0]?.msg).not.toContain('key-of-another-environment');
  });
});

describe('setup sync pending', () => {
  it('backs off exponentially from the base and resumes at once on integration-state-changed', async () => {
    // A first wait of a minute: without the resume, the sync could not finish within waitForIdle's 20 s.
    await useWorker({ integrationDelayFallbackMs: 60_000 });
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 20 }, setupPendingRequests: 1_000 });
    const handle = await h.trigger(id, {
      created: created(id),
      full: true,
      triggers: ['integration-created'],
    });
    // A new integration's first slice: the onboarding lane.
    expect(handle).toMatch(/^onboarding\//);
    const jobId = handle.split('/')[1] ?? '';
    const counterKey = `${h.prefix}:setup-pending:${id}`;
    const deadline = Date.now() + 10_000;
    while ((await (await h.getJob(handle))?.getState()) !== 'delayed' || !(await h.redis.get(counterKey))) {
      if (Date.now() > deadline) throw new Error('the job never waited for the pending setup');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await h.redis.get(counterKey)).toBe('1');
    const delayedUntil = await h.redis.zscore(`${h.prefix}:${h.queues.onboarding.name}:delayed`, jobId);
    expect(delayedUntil).not.toBeNull();

    h.sandbox.completeSetup(id);
    await h.trigger(id, {
      state: { ...state(id, 'ACTIVE', new Date()), setup_status: 'COMPLETED' },
      triggers: ['integration-state-changed'],
    });
    await h.waitForIdle(20_000);
    await h.expectExact(id, HRIS_TEST_MODELS);
    expect(await h.redis.get(counterKey)).toBeNull();
    expect(await h.countJobs('failed')).toBe(0);
  });
});

describe('a model Kombo stops serving (MODEL_DISABLED)', () => {
  it('is skipped, its rows kept live within the grace and marked deleted after it (14 days by default)', async () => {
    const DAY_MS = 24 * 60 * 60 * 1_000;
    const t0 = Date.parse('2026-12-01T00:00:00.000Z');
    let nowMs = t0;
    await useWorker({}, { now: () => nowMs });
    const id = await syncedIntegration();
    const groups = (await countRows(h.database, id)).hris_groups;
    expect(groups.total).toBeGreaterThan(groups.deleted);

    // A data-changed delta meets Kombo's 403 MODEL_DISABLED; runs of every model read read_models first.
    h.sandbox.disableModel(id, 'hris_groups');
    await h.trigger(id, { models: ['hris_groups'], triggers: ['data-changed'] });
    await h.waitForIdle();
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    expect(run?.counts['hris_groups']?.status).toBe('skipped');
    expect(run?.counts['hris_groups']?.error).toContain('INTEGRATION.MODEL_DISABLED');
    expect((await getSyncStates(h.database, id)).get('hris_groups')?.unavailableSince).toEqual(new Date(t0));
    expect((await countRows(h.database, id)).hris_groups).toEqual(groups);

    nowMs = t0 + 13 * DAY_MS;
    await h.trigger(id, { models: 'all', triggers: ['test'] });
    await h.waitForIdle();
    expect((await countRows(h.database, id)).hris_groups).toEqual(groups);
    const [skipped] = await getRecentRuns(h.database, id, 1);
    expect(skipped?.counts['hris_groups']?.error).toContain('read_models[].is_available=false');

    nowMs = t0 + 14 * DAY_MS;
    await h.trigger(id, { models: 'all', triggers: ['test'] });
    await h.waitForIdle();
    expect((await countRows(h.database, id)).hris_groups).toEqual({
      total: groups.total,
      deleted: groups.total,
    });
    const mirror = await h.mirror(id, 'hris_groups');
    const truth = new Map(h.sandbox.truth(id, 'hris_groups').map((r) => [r['id'] as string, r]));
    for (const [rowId, row] of mirror) {
      const kombosOwn = truth.get(rowId)?.['remote_deleted_at'] as string | null | undefined;
      expect(row.remoteDeletedAt).toEqual(kombosOwn ? new Date(kombosOwn) : new Date(t0 + 14 * DAY_MS));
    }
    // The other models are untouched.
    await h.expectExact(id, ['hris_employees', 'hris_employments']);

    // Served again: the unavailability ends, a full pass makes the mirror exact again.
    h.sandbox.disableModel(id, 'hris_groups', false);
    await h.trigger(id, { models: 'all', full: true, triggers: ['test'] });
    await h.waitForIdle();
    expect((await getSyncStates(h.database, id)).get('hris_groups')?.unavailableSince).toBeNull();
    await h.expectExact(id, HRIS_TEST_MODELS);
  });
});

describe("Kombo's data_expired_at", () => {
  it('is recorded while set; when it clears, a full resync of every model follows', async () => {
    await useWorker();
    const id = await syncedIntegration();
    const expiredAt = new Date('2026-11-30T08:00:00.000Z');
    h.sandbox.setDataExpired(id, expiredAt);
    await h.trigger(id, { models: 'all', triggers: ['schedule:safety'] });
    await h.waitForIdle();
    expect((await getIntegration(h.database, id))?.dataExpiredAt).toEqual(expiredAt);
    expect((await getRecentRuns(h.database, id, 1))[0]?.kind).toBe('delta');

    // Kombo re-synced with the new config (changes everywhere) and cleared the signal.
    h.sandbox.mutate(id, { updates: 3, creates: 2, deletes: 2, nestedUpdates: 1 });
    h.sandbox.setDataExpired(id, null);
    await h.trigger(id, { models: 'all', triggers: ['sync-finished'] });
    await h.waitForIdle();
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.kind).toBe('full');
    expect(run?.status).toBe('succeeded');
    expect(Object.keys(run?.counts ?? {}).sort()).toEqual([...HRIS_TEST_MODELS].sort());
    expect((await getIntegration(h.database, id))?.dataExpiredAt).toBeNull();
    await h.expectExact(id, HRIS_TEST_MODELS);

    // Cleared once: the next run of every model is a delta again.
    await h.trigger(id, { models: 'all', triggers: ['schedule:safety'] });
    await h.waitForIdle();
    expect((await getRecentRuns(h.database, id, 1))[0]?.kind).toBe('delta');
  });
});
