import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createRedis } from './create-redis.js';
import { NewerQueueDataError, QUEUE_DATA_VERSION } from './data-version.js';
import { MAX_INTENT_REQUEST_IDS, type Intent } from './intent.js';
import { completeIntent, dirtyIntegrations, peekIntent, recordIntent, takeIntent } from './intents.js';
import { intentKeys } from './names.js';
import { laneOf } from './request-sync.js';
import type { RedisConnection } from './create-redis.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const prefix = `{test-intents-${randomUUID().slice(0, 8)}}`;
let redis: RedisConnection;

beforeAll(() => {
  redis = createRedis(TEST_REDIS_URL, { role: 'client' });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const ttl = 60;
const state = (state: string, updatedAt: string) => ({
  integration_id: 'x',
  state,
  setup_status: 'COMPLETED',
  qa_status: 'PASSED',
  updated_at: updatedAt,
});

describe('recordIntent', () => {
  it('merges models, full, triggers and request ids into the pending intent and marks it dirty', async () => {
    const id = 'merge';
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['hris_employees'], triggers: ['data-changed'], requestIds: ['r1'] },
    });
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['hris_employees', 'hris_absences'], triggers: ['data-changed'], requestIds: ['r2'] },
    });
    expect(await peekIntent(redis, prefix, id)).toEqual({
      models: ['hris_employees', 'hris_absences'],
      full: false,
      triggers: ['data-changed'],
      requestIds: ['r1', 'r2'],
    });
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: 'all', full: true, triggers: ['schedule:full'] },
    });
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['ats_jobs'] },
    });
    expect(await peekIntent(redis, prefix, id)).toMatchObject({
      models: 'all',
      full: true,
      triggers: ['data-changed', 'schedule:full'],
    });
    expect(await dirtyIntegrations(redis, prefix)).toContain(id);
  });

  it('keeps the latest state by updated_at and caps request ids, newest last', async () => {
    const id = 'state';
    const newer = state('ACTIVE', '2026-01-02T00:00:00.500Z');
    await recordIntent(redis, prefix, { integrationId: id, replayTtlSeconds: ttl, intent: { state: newer } });
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { state: state('INACTIVE', '2026-01-02T00:00:00Z') },
    });
    for (let i = 0; i < MAX_INTENT_REQUEST_IDS + 5; i++) {
      await recordIntent(redis, prefix, {
        integrationId: id,
        replayTtlSeconds: ttl,
        intent: { requestIds: [`r${i}`] },
      });
    }
    const intent = await peekIntent(redis, prefix, id);
    expect(intent?.state).toEqual(newer);
    expect(intent?.requestIds).toHaveLength(MAX_INTENT_REQUEST_IDS);
    expect(intent?.requestIds.at(-1)).toBe(`r${MAX_INTENT_REQUEST_IDS + 4}`);
  });

  it('treats a repeated event id as a replay and writes nothing', async () => {
    const id = 'replay';
    const first = await recordIntent(redis, prefix, {
      integrationId: id,
      eventId: 'evt-1',
      replayTtlSeconds: ttl,
      intent: { models: ['hris_employees'] },
    });
    const again = await recordIntent(redis, prefix, {
      integrationId: id,
      eventId: 'evt-1',
      replayTtlSeconds: ttl,
      intent: { models: ['ats_jobs'] },
    });
    expect(first).toMatchObject({ isReplay: false, hasPending: true, isQueued: false });
    expect(again).toMatchObject({ isReplay: true, hasPending: true, isQueued: false });
    expect((await peekIntent(redis, prefix, id))?.models).toEqual(['hris_employees']);
    const seenTtl = await redis.ttl(intentKeys.seenEvent(prefix, 'evt-1'));
    expect(seenTtl).toBeGreaterThan(0);
    expect(seenTtl).toBeLessThanOrEqual(ttl);

    await takeIntent(redis, prefix, id);
    const afterTake = await recordIntent(redis, prefix, {
      integrationId: id,
      eventId: 'evt-1',
      replayTtlSeconds: ttl,
      intent: { models: ['ats_jobs'] },
    });
    expect(afterTake).toMatchObject({ isReplay: true, hasPending: false });
  });

  it('records a concurrently replayed event id once', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        recordIntent(redis, prefix, {
          integrationId: 'concurrent',
          eventId: 'evt-concurrent',
          replayTtlSeconds: ttl,
          intent: { requestIds: [randomUUID()] },
        }),
      ),
    );
    expect(results.filter((r) => !r.isReplay)).toHaveLength(1);
    expect((await peekIntent(redis, prefix, 'concurrent'))?.requestIds).toHaveLength(1);
  });
});

describe('takeIntent / completeIntent', () => {
  it('returns null when there is nothing to do', async () => {
    expect(await takeIntent(redis, prefix, 'nothing')).toBeNull();
  });

  it('moves pending to in-flight and clears the dirty mark', async () => {
    const id = 'take';
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['ats_jobs'] },
    });
    const taken = await takeIntent(redis, prefix, id);
    expect(taken).toEqual({
      models: ['ats_jobs'],
      full: false,
      triggers: [],
      requestIds: [],
      takeId: expect.any(String),
    });
    expect(await peekIntent(redis, prefix, id)).toBeNull();
    expect(await dirtyIntegrations(redis, prefix)).not.toContain(id);
    await completeIntent(redis, prefix, id, taken!.takeId);
    expect(await takeIntent(redis, prefix, id)).toBeNull();
  });

  it('take → crash (no complete) → take again returns the same intent merged with newer ones', async () => {
    const id = 'crash';
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['hris_employees'], triggers: ['data-changed'], requestIds: ['r1'] },
    });
    const first = await takeIntent(redis, prefix, id);
    // The run dies here without completeIntent; meanwhile more work arrives.
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['hris_absences'], full: true, triggers: ['schedule:full'], requestIds: ['r2'] },
    });
    const second = await takeIntent(redis, prefix, id);
    expect(first?.models).toEqual(['hris_employees']);
    expect(second).toEqual({
      models: ['hris_employees', 'hris_absences'],
      full: true,
      triggers: ['data-changed', 'schedule:full'],
      requestIds: ['r1', 'r2'],
      takeId: expect.any(String),
    });
    // A retry with nothing new gets the same in-flight intent back, under a take of its own.
    const third = await takeIntent(redis, prefix, id);
    expect(third).toEqual({ ...second, takeId: expect.any(String) });
    expect(third?.takeId).not.toBe(second?.takeId);
    await completeIntent(redis, prefix, id, third!.takeId);
    expect(await takeIntent(redis, prefix, id)).toBeNull();
  });

  it('a run that completes after a later take merged more work leaves that work in flight', async () => {
    const id = 'two-takes';
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['ats_jobs'] },
    });
    const first = await takeIntent(redis, prefix, id);
    // BullMQ hands the job out again (its lock was lost) while the first run still runs; new work arrives.
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['ats_tags'] },
    });
    const second = await takeIntent(redis, prefix, id);
    // The first run finishes: the second take, which carries ats_tags, must survive it.
    await completeIntent(redis, prefix, id, first!.takeId);
    expect((await takeIntent(redis, prefix, id))?.models).toEqual(['ats_jobs', 'ats_tags']);
    expect(second?.models).toEqual(['ats_jobs', 'ats_tags']);
  });

  it('a run hands back the full passes it did not finish: merged with later work, in the bulk lane', async () => {
    const id = 'full-models';
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: 'all', full: true, triggers: ['manual'] },
    });
    const taken = await takeIntent(redis, prefix, id);
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['hris_absences'], triggers: ['data-changed'] },
    });
    const work = { models: ['hris_employees' as const], fullModels: ['hris_employees' as const] };
    await completeIntent(redis, prefix, id, taken!.takeId, { ...work, triggers: ['manual'] });
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['hris_groups'], fullModels: ['hris_groups', 'hris_employees'] },
    });
    const pending = await peekIntent(redis, prefix, id);
    expect(pending).toMatchObject({
      models: ['hris_employees', 'hris_groups', 'hris_absences'],
      full: false,
      fullModels: ['hris_employees', 'hris_groups'],
    });
    expect(laneOf(pending!)).toBe('bulk');
  });

  it('reads an intent stored before fullModels existed as having none', async () => {
    const id = 'older-shape';
    await redis.set(
      intentKeys.pending(prefix, id),
      JSON.stringify({ models: ['hris_employees'], full: false, triggers: {}, requestIds: {}, gen: 'g' }),
    );
    const taken = await takeIntent(redis, prefix, id);
    expect(taken).toEqual({
      models: ['hris_employees'],
      full: false,
      triggers: [],
      requestIds: [],
      takeId: expect.any(String),
    });
    expect(laneOf(taken!)).toBe('delta');
  });

  it('keeps created/deleted and work recorded during a run for the next run', async () => {
    const id = 'lifecycle';
    const created = { id, tool: 'personio', category: 'HRIS', end_user: { organization_name: 'Acme' } };
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { created, full: true },
    });
    const taken = await takeIntent(redis, prefix, id);
    expect(taken).toMatchObject({ created, full: true, models: [] });
    const deleted = { ...created, deleted_at: '2026-01-01T00:00:00.000Z' };
    await recordIntent(redis, prefix, { integrationId: id, replayTtlSeconds: ttl, intent: { deleted } });
    await completeIntent(redis, prefix, id, taken!.takeId);
    expect(await takeIntent(redis, prefix, id)).toEqual({
      models: [],
      full: false,
      deleted,
      triggers: [],
      requestIds: [],
      takeId: expect.any(String),
    });
  });

  it('between created and deleted the later one wins: deleted then created is live, created then deleted is gone', async () => {
    const id = 'recreated';
    const created = { id, tool: 'personio', category: 'HRIS' };
    const deleted = { ...created, deleted_at: '2026-01-01T00:00:00.000Z' };
    const record = (intent: Partial<Intent>) =>
      recordIntent(redis, prefix, { integrationId: id, replayTtlSeconds: ttl, intent });
    await record({ deleted });
    await record({ created, full: true });
    const live = await takeIntent(redis, prefix, id);
    expect(live).toMatchObject({ created, full: true });
    expect(live?.deleted).toBeUndefined();
    await completeIntent(redis, prefix, id, live!.takeId);

    await record({ created, full: true });
    await record({ deleted });
    const gone = await takeIntent(redis, prefix, id);
    expect(gone).toMatchObject({ deleted });
    expect(gone?.created).toBeUndefined();
  });

  it('a slice mark survives merges: next over first, kept through a take and a hand-back', async () => {
    const id = 'slices';
    const record = (intent: Partial<Intent>) =>
      recordIntent(redis, prefix, { integrationId: id, replayTtlSeconds: ttl, intent });
    await record({ models: ['hris_employees'], full: true, slice: 'first' });
    await record({ models: ['hris_groups'] });
    expect((await peekIntent(redis, prefix, id))?.slice).toBe('first');
    await record({ models: ['hris_employees'], slice: 'next' });
    await record({ models: ['hris_locations'], slice: 'first' });
    expect(await peekIntent(redis, prefix, id)).toMatchObject({ full: true, slice: 'next' });
    const taken = await takeIntent(redis, prefix, id);
    expect(taken?.slice).toBe('next');
    // The run hands its unfinished pass back; a webhook's change meanwhile carries no mark.
    await record({ models: ['hris_groups'] });
    await completeIntent(redis, prefix, id, taken!.takeId, { models: ['hris_employees'], slice: 'next' });
    expect(await takeIntent(redis, prefix, id)).toMatchObject({
      models: ['hris_employees', 'hris_groups'],
      slice: 'next',
    });
    await record({ models: ['hris_groups'] });
    const plain = await peekIntent(redis, prefix, id);
    expect(plain && 'slice' in plain).toBe(false);
  });
});

describe('data versions', () => {
  it('stamps intents with this version, keeps the highest on merge, and takes nothing a newer release wrote', async () => {
    const id = 'versions';
    const pendingKey = intentKeys.pending(prefix, id);
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['hris_employees'] },
    });
    expect(JSON.parse((await redis.get(pendingKey))!)).toMatchObject({ v: QUEUE_DATA_VERSION });
    // A newer release's writer merged into it: its version wins the merge with this release's next record.
    const stored = JSON.parse((await redis.get(pendingKey))!) as Record<string, unknown>;
    await redis.set(pendingKey, JSON.stringify({ ...stored, v: QUEUE_DATA_VERSION + 1 }));
    await recordIntent(redis, prefix, {
      integrationId: id,
      replayTtlSeconds: ttl,
      intent: { models: ['hris_groups'] },
    });
    const merged = await redis.get(pendingKey);
    expect(JSON.parse(merged!)).toMatchObject({ v: QUEUE_DATA_VERSION + 1 });

    const error = await takeIntent(redis, prefix, id).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NewerQueueDataError);
    expect(error).toMatchObject({
      what: 'intent',
      version: QUEUE_DATA_VERSION + 1,
      readerVersion: QUEUE_DATA_VERSION,
    });
    expect(await redis.get(pendingKey)).toBe(merged);
    expect(await redis.exists(intentKeys.inFlight(prefix, id))).toBe(0);
    expect(await dirtyIntegrations(redis, prefix)).toContain(id);

    const taken = await takeIntent(redis, prefix, id, { readerVersion: QUEUE_DATA_VERSION + 1 });
    expect(taken?.models).toEqual(['hris_employees', 'hris_groups']);
    expect(await completeIntent(redis, prefix, id, taken!.takeId)).toBe(true);
  });
});
