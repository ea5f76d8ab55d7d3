import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MODELS } from '@kombo-sync/catalog';
import { sql } from 'drizzle-orm';
import type { Database } from './create-database.js';
import { upsertIntegration } from './integrations-store.js';
import { listIntegrationStatus, type StatusQuery } from './list-integration-status.js';
import { loadFleetSummary } from './load-fleet-summary.js';
import { loadIntegrationStatus } from './load-integration-status.js';
import { STATUS_FILTER_NAMES } from './status-filters.js';
import { finishRun, startRun } from './sync-runs-store.js';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.js';
import { expectedStates, seedFleet, type FleetMember } from './testing/seed-fleet.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL } = testServices();

const FLEET = 3_000;
const LAG_THRESHOLD_MS = 7 * 3_600_000;
let testDb: TestDatabase;
let db: Database;
let members: FleetMember[];
const clock = () => ({ now: new Date(), lagThresholdMs: LAG_THRESHOLD_MS });

beforeAll(async () => {
  testDb = await createTestDatabase(TEST_DATABASE_URL, { namePrefix: 'status_test' });
  db = testDb.database;
  members = await seedFleet(db, { integrations: FLEET, runsPerIntegration: 5, historyDays: 2 });
}, 120_000);

afterAll(async () => {
  await testDb.drop();
});

const idsIn = (state: string) =>
  members
    .filter((m) => expectedStates(m).includes(state))
    .map((m) => m.id)
    .sort();

/** Every page of a query, following `nextAfter`. */
async function allPages(query: Omit<StatusQuery, 'now' | 'lagThresholdMs'>) {
  const ids: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await listIntegrationStatus(db, { ...clock(), ...query, ...(after ? { after } : {}) });
    ids.push(...page.integrations.map((i) => i.id));
    if (page.nextAfter === null) return ids;
    after = page.nextAfter;
  }
  throw new Error('paging did not end');
}

describe('fleet status at thousands of integrations', () => {
  it('counts every state and health by SQL aggregates, with the oldest lag', async () => {
    const summary = await loadFleetSummary(db, clock());
    expect(summary.integrations).toBe(FLEET);
    for (const state of STATUS_FILTER_NAMES)
      expect([state, summary.states[state]]).toEqual([state, idsIn(state).length]);
    expect(Object.values(summary.health).reduce((a, b) => a + b, 0)).toBe(FLEET);
    const stale = members.filter((m) => m.isStale && !m.isPaused);
    expect(stale.map((m) => m.id)).toContain(summary.oldestLag?.integrationId);
    expect(summary.oldestLag?.lagSeconds).toBeGreaterThan(47 * 3_600);
  });

  it('pages are bounded and ordered by id; each filter finds exactly its integrations, across pages', async () => {
    const first = await listIntegrationStatus(db, clock());
    expect(first.integrations).toHaveLength(50);
    expect(first.previousBefore).toBeNull();
    expect(first.nextAfter).toBe(first.integrations[49]?.id);
    expect((await listIntegrationStatus(db, { ...clock(), limit: 10_000 })).integrations).toHaveLength(500);
    for (const state of STATUS_FILTER_NAMES) {
      expect([state, await allPages({ filters: [state], limit: 97 })]).toEqual([state, idsIn(state)]);
    }
    const attention = await allPages({ filters: ['failing', 'not-found'], limit: 200 });
    expect(attention).toEqual([...new Set([...idsIn('failing'), ...idsIn('not-found')])].sort());
    const all = await allPages({ limit: 500 });
    expect(all).toEqual(members.map((m) => m.id).sort());
  });

  it('shows each integration with its flags, health, models, last error, quarantine and latest run', async () => {
    const failing = members.find((m) => m.isFailing && !m.isNotFound && m.category === 'HRIS');
    const page = await listIntegrationStatus(db, { ...clock(), search: failing?.id ?? '' });
    const row = page.integrations[0];
    expect(row).toMatchObject({
      id: failing?.id,
      health: 'failing',
      modelCounts: { active: 15, synced: 15, failing: 2, skipped: 0 },
      lastError: { code: 'REMOTE.SERVER_ERROR', message: 'Kombo answered 500' },
      latestRun: { status: 'partial' },
    });
    expect(row?.flags).toEqual(expectedStates(failing!));
    const running = members.find((m) => m.isRunning && !m.isNotFound && !m.isPaused);
    const [runningRow] = (await listIntegrationStatus(db, { ...clock(), search: running?.id ?? '' }))
      .integrations;
    expect(runningRow).toMatchObject({
      health: 'running',
      latestRun: { status: 'running', finishedAt: null },
      running: { passes: 1, recordsDone: 1000, expectedRecords: 4000 },
    });
    const never = members.find((m) => m.isNeverSynced && !m.isPaused && !m.isNotFound);
    const [neverRow] = (await listIntegrationStatus(db, { ...clock(), search: never?.id ?? '' }))
      .integrations;
    expect(neverRow).toMatchObject({ health: 'lagging', latestRun: null, maxLagSeconds: null });
  });

  it('searches ids, origin ids and organisation names, case-insensitively; % and _ match themselves', async () => {
    expect((await allPages({ search: 'ORG 1234' })).length).toBe(1);
    expect(await allPages({ search: 'origin-2999' })).toEqual([members[2998]?.id]);
    expect(await allPages({ search: 'fleet-000042' })).toEqual([members[41]?.id]);
    expect(await allPages({ search: 'org_1' })).toEqual([]);
    expect(await allPages({ search: '%' })).toEqual([]);
    await upsertIntegration(db, { id: 'bamboohr:50%_off', tool: 'bamboohr', category: 'HRIS' });
    expect(await allPages({ search: '50%_' })).toEqual(['bamboohr:50%_off']);
    expect(await allPages({ tool: 'BambooHR', category: 'HRIS' })).toEqual(['bamboohr:50%_off']);
    expect((await allPages({ category: 'ATS', limit: 500 })).length).toBe(FLEET / 2);
    await db.db.execute(sql`UPDATE integrations SET deleted_at = now() WHERE id = 'bamboohr:50%_off'`);
  });

  it('selects one Kombo environment by its keys, across keyset pages and with filters', async () => {
    const us = ['us/personio:fleet-000001', 'us/greenhouse:z', 'us/personio:a', 'us/personio:b', 'us/x:1'];
    const named = [...us, 'dev/personio:fleet-000001', 'usa/personio:c'];
    for (const id of named) await upsertIntegration(db, { id, tool: id.split(/[/:]/)[1]!, category: 'HRIS' });
    expect(await allPages({ environment: 'us', limit: 2 })).toEqual([...us].sort());
    expect(await allPages({ environment: 'dev' })).toEqual(['dev/personio:fleet-000001']);
    // Never synced: lagging, like a new integration of the default environment.
    expect(await allPages({ environment: 'us', filters: ['lagging'], limit: 3 })).toEqual([...us].sort());
    expect(await allPages({ environment: 'us', filters: ['failing'] })).toEqual([]);
    expect(await allPages({ environment: 'default', limit: 500 })).toEqual(members.map((m) => m.id).sort());
    expect(await allPages({ environment: 'eu' })).toEqual([]);
    await db.db.execute(sql`UPDATE integrations SET deleted_at = now() WHERE id LIKE '%/%'`);
  });

  it('pages back with `before` to exactly the previous page', async () => {
    const first = await listIntegrationStatus(db, { ...clock(), limit: 40 });
    const second = await listIntegrationStatus(db, { ...clock(), limit: 40, after: first.nextAfter! });
    expect(second.previousBefore).toBe(second.integrations[0]?.id);
    const back = await listIntegrationStatus(db, { ...clock(), limit: 40, before: second.previousBefore! });
    expect(back.integrations.map((i) => i.id)).toEqual(first.integrations.map((i) => i.id));
    expect(back.previousBefore).toBeNull();
    expect(back.nextAfter).toBe(first.nextAfter);
  });

  it('keyset paging stays exact while integrations are added, deleted and change state between pages', async () => {
    const live = new Set(members.map((m) => m.id));
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; ; page++) {
      const result = await listIntegrationStatus(db, { ...clock(), limit: 150, ...(after ? { after } : {}) });
      seen.push(...result.integrations.map((i) => i.id));
      if (result.nextAfter === null) break;
      after = result.nextAfter;
      // Between pages: new integrations before and after the cursor, one not yet listed deleted, and a state
      // change (a new failed run) on an integration not listed yet.
      await upsertIntegration(db, { id: `aaa:new-${page}`, tool: 'aaa', category: 'HRIS' });
      await upsertIntegration(db, { id: `zzz:new-${page}`, tool: 'zzz', category: 'HRIS' });
      const ahead = members.filter((m) => m.id > after! && live.has(m.id));
      const gone = ahead[5];
      if (gone) {
        await db.db.execute(sql`UPDATE integrations SET deleted_at = now() WHERE id = ${gone.id}`);
        live.delete(gone.id);
      }
      const changed = ahead[9];
      if (changed)
        await finishRun(db, await startRun(db, { integrationId: changed.id, kind: 'delta', trigger: 'x' }), {
          status: 'failed',
        });
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    // Every integration live throughout is listed once; those added ahead of the cursor are listed too.
    for (const id of live) expect(seen.includes(id)).toBe(true);
    expect(seen.filter((id) => id.startsWith('zzz:new-')).length).toBeGreaterThan(0);
    expect(seen.some((id) => id.startsWith('aaa:new-'))).toBe(false);
  });

  it('takes the latest run from integrations.last_run_id, set when a run starts', async () => {
    const member = members.find((m) => !m.isNeverSynced && !m.isFailing && !m.isRunning)!;
    const run = await startRun(db, { integrationId: member.id, kind: 'full', trigger: 'manual' });
    const [row] = (await listIntegrationStatus(db, { ...clock(), search: member.id })).integrations;
    expect(row?.latestRun).toMatchObject({ id: run, status: 'running', kind: 'full' });
    expect(row?.flags).toContain('running');
    await finishRun(db, run, { status: 'failed', error: 'boom' });
    const failed = (await listIntegrationStatus(db, { ...clock(), filters: ['failing'], search: member.id }))
      .integrations[0];
    expect(failed).toMatchObject({
      health: member.isNotFound ? 'not-found' : 'failing',
      latestRun: { error: 'boom' },
    });
  });

  it('loads one integration in detail: every model of its category, recent runs, quarantined records', async () => {
    const member = members.find((m) => m.isQuarantined && m.category === 'ATS' && !m.isNeverSynced)!;
    const detail = await loadIntegrationStatus(db, member.id, { ...clock(), runLimit: 3 });
    expect(detail?.models.map((m) => m.model)).toEqual(
      MODELS.filter((m) => m.category === 'ATS').map((m) => m.name),
    );
    expect(detail?.recentRuns).toHaveLength(3);
    expect(detail?.recentRuns[0]?.totals).toMatchObject({ pages: 1, unchanged: 120 });
    expect(detail?.quarantinedRecords).toMatchObject([{ recordId: expect.stringMatching(/^poison-/) }]);
    expect(detail?.quarantined).toBe(1);
    expect(await loadIntegrationStatus(db, 'nope:1', clock())).toBeUndefined();
  });

  it('rejects both cursors at once', async () => {
    await expect(listIntegrationStatus(db, { ...clock(), after: 'a', before: 'b' })).rejects.toThrow(
      RangeError,
    );
  });
});
