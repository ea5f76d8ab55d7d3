// keepPausedWork on real Postgres and Redis: a run whose plan came back empty keeps the work of a paused
// integration, and a pause or resume that lands during the run's planning never loses it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setIntegrationControls, upsertIntegration } from '@kombo-sync/db';
import { intentKeys, peekIntent, recordIntent, takeIntent, type TakenIntent } from '@kombo-sync/queue';
import { keepPausedWork, readPause } from './keep-paused-work.js';
import { createHarness, logger, type WorkerHarness } from './testing/worker-harness.js';

let h: WorkerHarness;
let n = 0;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** A recorded integration with a taken intent for `hris_employees`, as a run holds it after `takeIntent`. */
async function takenIntegration(): Promise<{ id: string; intent: TakenIntent }> {
  const id = `personio:keep-${(n += 1)}`;
  await upsertIntegration(h.database, { id, tool: 'personio', category: 'HRIS', state: 'ACTIVE' });
  await recordIntent(h.redis, h.prefix, {
    integrationId: id,
    replayTtlSeconds: 60,
    intent: { models: ['hris_employees'], triggers: ['data-changed'], requestIds: ['r1'] },
  });
  const intent = await takeIntent(h.redis, h.prefix, id);
  if (!intent) throw new Error('no intent taken');
  return { id, intent };
}

const keep = (id: string, intent: TakenIntent, before: Awaited<ReturnType<typeof readPause>>) =>
  keepPausedWork(h, { integrationId: id, intent, before, log: logger });

const isDirty = async (id: string) => (await h.redis.sismember(intentKeys.dirty(h.prefix), id)) === 1;
const jobsOf = async (id: string) =>
  (await h.queues.delta.getJobs(['waiting', 'prioritized'])).filter((job) => job.data.integrationId === id);

describe('keepPausedWork', () => {
  it('paused: the work goes back into the pending intent, not dirty, no job', async () => {
    const { id, intent } = await takenIntegration();
    await setIntegrationControls(h.database, id, { isPaused: true });
    const before = await readPause(h.database, id);
    expect(await keep(id, intent, before)).toBe(true);
    expect(await peekIntent(h.redis, h.prefix, id)).toMatchObject({
      models: ['hris_employees'],
      triggers: ['data-changed'],
      requestIds: ['r1'],
    });
    expect(await h.redis.exists(intentKeys.inFlight(h.prefix, id))).toBe(0);
    expect(await isDirty(id)).toBe(false);
    expect(await jobsOf(id)).toHaveLength(0);
  });

  it('resumed while the run planned: the work is kept and gets its job', async () => {
    const { id, intent } = await takenIntegration();
    await setIntegrationControls(h.database, id, { isPaused: true });
    const before = await readPause(h.database, id);
    await setIntegrationControls(h.database, id, { isPaused: false });
    expect(await keep(id, intent, before)).toBe(true);
    expect((await peekIntent(h.redis, h.prefix, id))?.models).toEqual(['hris_employees']);
    expect(await isDirty(id)).toBe(true);
    expect(await jobsOf(id)).toHaveLength(1);
  });

  it('paused and resumed while the run planned: kept and queued again', async () => {
    const { id, intent } = await takenIntegration();
    const before = await readPause(h.database, id);
    await setIntegrationControls(h.database, id, { isPaused: true });
    await setIntegrationControls(h.database, id, { isPaused: false });
    expect(await keep(id, intent, before)).toBe(true);
    expect(await jobsOf(id)).toHaveLength(1);
  });

  it('not paused (nothing enabled, deleted, Kombo state): false, the caller completes the intent', async () => {
    const { id, intent } = await takenIntegration();
    expect(await keep(id, intent, await readPause(h.database, id))).toBe(false);
    expect(await peekIntent(h.redis, h.prefix, id)).toBeNull();

    const deleted = await takenIntegration();
    await setIntegrationControls(h.database, deleted.id, { isPaused: true });
    const gone = {
      ...deleted.intent,
      deleted: { id: deleted.id, tool: 'personio', category: 'HRIS', deleted_at: '2026-01-01T00:00:00Z' },
    };
    expect(await keep(deleted.id, gone, await readPause(h.database, deleted.id))).toBe(false);
  });
});
