import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import { getRecentRuns, startRun } from './sync-runs-store.js';
import {
  acquireLease,
  attachRunToLease,
  closeAbandonedRuns,
  FenceLostError,
  releaseLease,
  renewLease,
  withFencedTransaction,
  type Fence,
} from './sync-leases-store.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase(TEST_DATABASE_URL, { poolSize: 6 });
});
afterAll(async () => {
  await test.drop();
});

async function acquire(integrationId: string, ttlMs = 60_000, holder = 'w1/1'): Promise<Fence> {
  const result = await acquireLease(test.database, { integrationId, holder, ttlMs });
  if (!result.isAcquired) throw new Error(`lease held by ${result.holder}`);
  return result.fence;
}

/** Makes the lease look expired, as if its holder stopped renewing it `agoMs` ago (Postgres's clock). */
async function expire(integrationId: string): Promise<void> {
  await test.database.db.execute(
    sql`UPDATE sync_leases SET expires_at = now() - interval '1 second' WHERE integration_id = ${integrationId}`,
  );
}

const write = (fence: Fence) =>
  withFencedTransaction(test.database, fence, async (tx) => {
    await tx.execute(sql`SELECT 1`);
    return 'written';
  });

describe('sync leases (the fence)', () => {
  it('is held by one run at a time; a live lease tells the others when to come back', async () => {
    const first = await acquire('personio:one');
    expect(first.token).toBe(1);
    const second = await acquireLease(test.database, {
      integrationId: 'personio:one',
      holder: 'w2/2',
      ttlMs: 60_000,
    });
    expect(second).toMatchObject({ isAcquired: false, holder: 'w1/1' });
    expect(second.isAcquired === false && second.retryInMs).toBeGreaterThan(50_000);
    expect(await write(first)).toBe('written');

    await releaseLease(test.database, first);
    const third = await acquire('personio:one', 60_000, 'w2/2');
    expect(third.token).toBe(2);
    // The released holder is fenced out, and cannot renew what it no longer holds.
    await expect(write(first)).rejects.toBeInstanceOf(FenceLostError);
    expect(await renewLease(test.database, first, 60_000)).toBe(false);
    expect(await renewLease(test.database, third, 60_000)).toBe(true);
  });

  it('an expired lease is taken over; the old holder fails at its next write, even after a renewal attempt', async () => {
    const old = await acquire('personio:two', 1_000);
    await expire('personio:two');
    // Expired but not taken over: the token is still the holder's, so its writes and a renewal still work.
    expect(await write(old)).toBe('written');
    expect(await renewLease(test.database, old, 1_000)).toBe(true);
    await expire('personio:two');
    const next = await acquire('personio:two', 60_000, 'w2/2');
    expect(next.token).toBe(old.token + 1);
    await expect(write(old)).rejects.toMatchObject({ code: 'SYNC.FENCE_LOST' });
    expect(await write(next)).toBe('written');
  });

  it('a takeover waits for the holder’s open transaction; the holder’s next transaction fails', async () => {
    const old = await acquire('personio:three', 1_000);
    await expire('personio:three');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let isTakeoverDone = false;
    // The old holder is mid-page: its transaction checked the fence and is still writing.
    const page = withFencedTransaction(test.database, old, async () => {
      await held;
      // No takeover may have committed while this transaction is open.
      return isTakeoverDone;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The lease row is locked by the open page: a takeover now sees the lease busy rather than stealing it.
    const during = await acquireLease(test.database, {
      integrationId: 'personio:three',
      holder: 'w2/2',
      ttlMs: 60_000,
    });
    expect(during.isAcquired).toBe(false);
    release();
    expect(await page).toBe(false);
    const next = await acquire('personio:three', 60_000, 'w2/2');
    isTakeoverDone = true;
    await expect(write(old)).rejects.toBeInstanceOf(FenceLostError);
    expect(await write(next)).toBe('written');
  });

  it('a renewal never waits for the holder’s own page transactions, however they overlap', async () => {
    const fence = await acquire('personio:renew', 60_000);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let fenced = 0;
    let isFenced!: () => void;
    const bothFenced = new Promise<void>((resolve) => (isFenced = resolve));
    // Two pages mid-write: both checked the fence and hold the lease row until they commit.
    const pages = [1, 2].map(() =>
      withFencedTransaction(test.database, fence, async () => {
        if ((fenced += 1) === 2) isFenced();
        await held;
      }),
    );
    await bothFenced;
    const renewed = renewLease(test.database, fence, 60_000);
    const outcome = await Promise.race([
      renewed,
      new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 5_000)),
    ]);
    release();
    await Promise.all([...pages, renewed]);
    expect(outcome).toBe(true);
  });

  it('a change of the token, however it is written, waits for the holder’s open transactions', async () => {
    const fence = await acquire('personio:steal', 60_000);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let isFenced!: () => void;
    const fenced = new Promise<void>((resolve) => (isFenced = resolve));
    const page = withFencedTransaction(test.database, fence, async () => {
      isFenced();
      await held;
      return 'written';
    });
    await fenced;
    const client = await test.database.pool.connect();
    try {
      await client.query(`SET lock_timeout = '200ms'`);
      // A plain UPDATE of the token (not acquireLease's SELECT … FOR UPDATE first) still conflicts with the fence.
      await expect(
        client.query(`UPDATE sync_leases SET token = token + 1 WHERE integration_id = 'personio:steal'`),
      ).rejects.toMatchObject({ code: '55P03' });
      release();
      expect(await page).toBe('written');
      await client.query(`UPDATE sync_leases SET token = token + 1 WHERE integration_id = 'personio:steal'`);
    } finally {
      client.release();
    }
    await expect(write(fence)).rejects.toBeInstanceOf(FenceLostError);
  });

  it('closes the run of a holder that died as abandoned, on takeover or by the sweep', async () => {
    const db = test.database;
    const dead = await acquire('personio:four', 1_000);
    const deadRun = await startRun(db, { integrationId: 'personio:four', kind: 'full', trigger: 'test' });
    expect(await attachRunToLease(db, dead, deadRun)).toBe(true);
    await expire('personio:four');
    const result = await acquireLease(db, { integrationId: 'personio:four', holder: 'w2/2', ttlMs: 60_000 });
    expect(result).toMatchObject({ isAcquired: true, abandonedRunId: deadRun });
    const [closed] = await getRecentRuns(db, 'personio:four', 1);
    expect(closed).toMatchObject({ id: deadRun, status: 'abandoned' });
    expect(closed?.error).toMatch(/^SYNC\.ABANDONED/);
    expect(closed?.finishedAt).toBeInstanceOf(Date);

    // No takeover (nothing else to sync for that integration): the sweep closes it once no live lease holds it.
    const lonely = await acquire('personio:five', 1_000);
    const lonelyRun = await startRun(db, { integrationId: 'personio:five', kind: 'delta', trigger: 'test' });
    await attachRunToLease(db, lonely, lonelyRun);
    const liveRun = await startRun(db, { integrationId: 'personio:six', kind: 'delta', trigger: 'test' });
    await db.db.execute(
      sql`UPDATE sync_runs SET started_at = now() - interval '1 minute' WHERE id IN (${lonelyRun}, ${liveRun})`,
    );
    const live = await acquire('personio:six', 60_000);
    await db.db.execute(
      sql`UPDATE sync_leases SET run_id = ${liveRun} WHERE integration_id = ${live.integrationId}`,
    );
    expect(await closeAbandonedRuns(db, { graceMs: 10_000 })).toEqual([]);
    await expire('personio:five');
    const swept = await closeAbandonedRuns(db, { graceMs: 10_000 });
    expect(swept).toContain(lonelyRun);
    expect((await getRecentRuns(db, 'personio:five', 1))[0]?.status).toBe('abandoned');
    // A just-started run is spared by the grace period even before it is attached to its lease.
    const fresh = await startRun(db, { integrationId: 'personio:seven', kind: 'delta', trigger: 'test' });
    expect(await closeAbandonedRuns(db, { graceMs: 10_000 })).not.toContain(fresh);
  });
});
