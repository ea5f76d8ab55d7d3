// The lease's renewal on its own pool: page writes that hold every connection of the worker's pool do not delay it,
// and a renewal that cannot get the row gives up within its bound instead of hanging (the next one succeeds).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLeaseDatabase, withFencedTransaction, type Database } from '@kombo-sync/db';
import { createTestDatabase, type TestDatabase } from '@kombo-sync/db/testing';
import { createLogger } from '@kombo-sync/logger';
import pg from 'pg';
import { holdLease, type HeldLease } from './hold-lease.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const TTL_MS = 900;

let test: TestDatabase;
let leaseDatabase: Database;
/** Reads and blocks on a connection of its own, apart from both pools. */
let observer: pg.Client;
const lines: string[] = [];
const logger = createLogger({
  name: 'hold-lease-test',
  level: 'warn',
  destination: new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  }),
});

beforeAll(async () => {
  // One connection: a single open page transaction exhausts the pool page writes use.
  test = await createTestDatabase(TEST_DATABASE_URL, { poolSize: 1 });
  leaseDatabase = await createLeaseDatabase({ url: test.url, ttlMs: TTL_MS });
  observer = new pg.Client({ connectionString: test.url });
  await observer.connect();
});
afterAll(async () => {
  await observer.end();
  await leaseDatabase.close();
  await test.drop();
});

async function hold(integrationId: string): Promise<HeldLease> {
  const attempt = await holdLease({ leaseDatabase, logger }, { integrationId, holder: 'w/1', ttlMs: TTL_MS });
  if (!attempt.isHeld) throw new Error(`lease held by ${attempt.holder}`);
  return attempt.lease;
}

async function expiresAt(integrationId: string): Promise<number> {
  const { rows } = await observer.query<{ expires_at: Date }>(
    'SELECT expires_at FROM sync_leases WHERE integration_id = $1',
    [integrationId],
  );
  return rows[0]!.expires_at.getTime();
}

/** Polls until the lease's expiry has moved past `after` (a renewal committed), within 10 s. */
async function renewedAfter(integrationId: string, after: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const at = await expiresAt(integrationId);
    if (at > after) return at;
    if (Date.now() > deadline) throw new Error('the lease was not renewed within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('holdLease', () => {
  it('renews while the run’s page writes hold every connection of their pool', async () => {
    const lease = await hold('personio:pool');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let isWriting!: () => void;
    const writing = new Promise<void>((resolve) => (isWriting = resolve));
    const page = withFencedTransaction(test.database, lease.fence, async () => {
      isWriting();
      await held;
    });
    await writing;
    try {
      const first = await expiresAt('personio:pool');
      const second = await renewedAfter('personio:pool', first);
      await renewedAfter('personio:pool', second);
      expect(lease.lost.aborted).toBe(false);
    } finally {
      release();
      await page;
      await lease.release();
    }
  });

  it('a renewal that cannot lock the row gives up within its bound; the next one renews', async () => {
    const lease = await hold('personio:stuck');
    const blocker = new pg.Client({ connectionString: test.url });
    await blocker.connect();
    try {
      // What an acquirer mid-transaction holds: the row FOR UPDATE.
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM sync_leases WHERE integration_id = 'personio:stuck' FOR UPDATE`);
      const deadline = Date.now() + 10_000;
      while (!lines.some((line) => line.includes('sync lease renewal failed'))) {
        if (Date.now() > deadline) throw new Error('no renewal gave up within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const failed = lines.find((line) => line.includes('sync lease renewal failed'));
      expect(failed).toMatch(/canceling statement due to (lock|statement) timeout/);
      const before = await expiresAt('personio:stuck');
      await blocker.query('COMMIT');
      await renewedAfter('personio:stuck', before);
      expect(lease.lost.aborted).toBe(false);
    } finally {
      await blocker.end();
      await lease.release();
    }
  });
});
