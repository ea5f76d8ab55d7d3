import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'drizzle-orm';
import {
  listConnectionFlowFailures,
  loadIntegrationHealth,
  recordConnectionFlowFailure,
  recordKomboState,
  recordKomboSync,
} from './integration-health-store.js';
import { getIntegration, upsertIntegration } from './integrations-store.js';
import { listSyncLags } from './list-sync-lags.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

describe("Kombo's health signals in Postgres", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await test.drop();
  });
  const integration = (id: string) =>
    upsertIntegration(test.database, { id, tool: 'personio', category: 'HRIS' });

  it('records a state unless a newer one is recorded, returning the state it replaced', async () => {
    const db = test.database;
    await integration('personio:state');
    const t0 = new Date('2026-11-01T10:00:00.000Z');
    const t1 = new Date('2026-11-01T10:05:00.000Z');
    expect(await recordKomboState(db, 'personio:state', { state: 'INACTIVE', at: t1 })).toEqual({
      isRecorded: true,
      previousState: null,
    });
    // An older webhook (Kombo retried it late) does not undo the newer state.
    expect(await recordKomboState(db, 'personio:state', { state: 'ACTIVE', at: t0 })).toEqual({
      isRecorded: false,
      previousState: null,
    });
    expect((await getIntegration(db, 'personio:state'))?.state).toBe('INACTIVE');
    // Read from Kombo's API now: recorded whatever the webhooks said; their time is kept for ordering them.
    expect(
      await recordKomboState(db, 'personio:state', { state: 'ACTIVE', setupStatus: 'COMPLETED' }),
    ).toEqual({ isRecorded: true, previousState: 'INACTIVE' });
    const row = await getIntegration(db, 'personio:state');
    expect(row?.state).toBe('ACTIVE');
    expect(row?.setupStatus).toBe('COMPLETED');
    expect(row?.stateUpdatedAt).toEqual(t1);
    // A webhook older than the last one recorded still loses; a newer one wins.
    expect((await recordKomboState(db, 'personio:state', { state: 'INVALID', at: t0 })).isRecorded).toBe(
      false,
    );
    expect(
      await recordKomboState(db, 'personio:state', { state: 'INVALID', at: new Date(t1.getTime() + 1) }),
    ).toEqual({
      isRecorded: true,
      previousState: 'ACTIVE',
    });
    await recordKomboState(db, 'personio:state', { state: 'ACTIVE' });
    expect(await recordKomboState(db, 'personio:unknown', { state: 'ACTIVE' })).toEqual({
      isRecorded: false,
      previousState: null,
    });
  });

  it('of two concurrent writers of one transition, exactly one sees the state it replaced', async () => {
    const db = test.database;
    await integration('personio:race');
    await recordKomboState(db, 'personio:race', { state: 'INVALID' });
    const at = new Date(Date.now() + 60_000);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => recordKomboState(db, 'personio:race', { state: 'ACTIVE', at })),
    );
    expect(results.filter((r) => r.previousState === 'INVALID')).toHaveLength(1);
  });

  it("keeps Kombo's latest sync by its end, and connection flow failures once per event", async () => {
    const db = test.database;
    await integration('personio:sync');
    const failed = {
      syncId: 's2',
      state: 'FAILED',
      endedAt: new Date('2026-11-01T12:00:00.000Z'),
      logUrl: 'https://app.kombo.dev/logs/s2',
    };
    expect(await recordKomboSync(db, 'personio:sync', failed)).toBe(true);
    const older = {
      ...failed,
      syncId: 's1',
      state: 'SUCCEEDED',
      endedAt: new Date('2026-11-01T11:00:00.000Z'),
    };
    expect(await recordKomboSync(db, 'personio:sync', older)).toBe(false);
    const row = await getIntegration(db, 'personio:sync');
    expect([row?.komboSyncId, row?.komboSyncState, row?.komboSyncLogUrl]).toEqual([
      's2',
      'FAILED',
      'https://app.kombo.dev/logs/s2',
    ]);

    const flow = {
      eventId: 'evt-flow-1',
      tool: 'personio',
      category: 'HRIS',
      originId: '36123',
      organizationName: 'Acme, Inc.',
      creatorEmail: null,
      logUrl: 'https://app.kombo.dev/logs?flowId=1',
    };
    expect(await recordConnectionFlowFailure(db, flow)).toBe(true);
    expect(await recordConnectionFlowFailure(db, flow)).toBe(false);
    // One older than the retention is removed by the next record.
    await db.db.execute(
      sql`INSERT INTO connection_flow_failures (event_id, tool, category, received_at)
          VALUES ('evt-old', 'bamboohr', 'HRIS', now() - interval '40 days')`,
    );
    await recordConnectionFlowFailure(db, { ...flow, eventId: 'evt-flow-2' });
    const listed = await listConnectionFlowFailures(db, { sinceMs: 365 * 24 * 3600 * 1000 });
    expect(listed.map((f) => f.eventId).sort()).toEqual(['evt-flow-1', 'evt-flow-2']);
  });

  it('aggregates the health of live integrations; INACTIVE ones leave the lag series', async () => {
    const db = test.database;
    const health = await loadIntegrationHealth(db);
    expect(health.states).toEqual(
      expect.arrayContaining([
        { state: 'ACTIVE', setupStatus: 'COMPLETED', count: 1 },
        { state: null, setupStatus: null, count: 1 },
      ]),
    );
    expect(health.komboSyncsFailed).toEqual([{ syncState: 'FAILED', count: 1 }]);
    expect(health.connectionFlowFailures).toBe(2);

    await integration('personio:lag');
    await db.db
      .execute(sql`INSERT INTO sync_state (integration_id, model, last_success_at, consecutive_failures)
      VALUES ('personio:lag', 'hris_employees', now() - interval '1 hour', 0),
             ('personio:lag', 'hris_groups', NULL, 3)`);
    const failing = await loadIntegrationHealth(db);
    expect(failing.consecutiveFailures).toEqual([{ integrationId: '', model: 'hris_groups', failures: 3 }]);
    expect((await listSyncLags(db)).map((lag) => lag.integrationId)).toContain('personio:lag');
    await recordKomboState(db, 'personio:lag', { state: 'INACTIVE' });
    expect((await listSyncLags(db)).map((lag) => lag.integrationId)).not.toContain('personio:lag');
  });
});
