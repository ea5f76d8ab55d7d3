import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  commitModelSuccess,
  finishRun,
  markIntegrationDeleted,
  recordModelFailure,
  setIntegrationState,
  startRun,
  upsertIntegration,
  writePage,
  type Database,
} from '@kombo-sync/db';
import { sql } from 'drizzle-orm';
import { IntegrationNotFoundError } from '../errors.js';
import { memoryOutput } from '../output.js';
import { createTestDatabase } from '../testing/queue-suite.js';
import { runIntegrationsList } from './integrations-list.js';
import { runStatus } from './status.js';

const now = new Date('2026-11-28T12:00:00.000Z');
let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ database, drop } = await createTestDatabase());
  await upsertIntegration(database, {
    id: 'personio:a',
    tool: 'personio',
    category: 'HRIS',
    state: 'ACTIVE',
  });
  await upsertIntegration(database, {
    id: 'greenhouse:b',
    tool: 'greenhouse',
    category: 'ATS',
    state: 'ACTIVE',
  });
  await upsertIntegration(database, { id: 'bamboohr:gone', tool: 'bamboohr', category: 'HRIS' });
  await markIntegrationDeleted(database, 'bamboohr:gone');
  const runId = await startRun(database, { integrationId: 'personio:a', kind: 'full', trigger: 'manual' });
  const record = (id: string, deleted: string | null) => ({
    id,
    changed_at: '2026-11-28T11:00:00.000Z',
    remote_deleted_at: deleted,
  });
  await writePage(database, {
    integrationId: 'personio:a',
    model: 'hris_employees',
    records: [record('e1', null), record('e2', '2026-11-28T11:30:00.000Z')],
    komboFetchedAt: now,
    runId,
    pageIndex: 0,
    isFullPass: false,
  });
  await writePage(database, {
    integrationId: 'personio:a',
    model: 'hris_employees',
    records: [],
    rejected: [
      { id: 'e9', reason: 'record "e9" breaks the schema at field weekly_hours', text: '{"id":"e9"}' },
    ],
    komboFetchedAt: now,
    runId,
    pageIndex: 0,
    isFullPass: false,
  });
  const counts = { pages: 1, records: 2, inserted: 2, updated: 0, unchanged: 0, deleted: 1, quarantined: 0 };
  await commitModelSuccess(database, {
    integrationId: 'personio:a',
    model: 'hris_employees',
    runId,
    watermark: new Date(now.getTime() - 10 * 60_000),
    isFullPass: true,
    counts,
  });
  await recordModelFailure(database, {
    integrationId: 'personio:a',
    model: 'hris_absences',
    runId,
    error: { kind: 'fail-model', code: 'REMOTE.RATE_LIMIT_EXCEEDED', message: 'slow down', cause: null },
    counts: { pages: 0, records: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, quarantined: 0 },
  });
  await finishRun(database, runId, { status: 'partial', error: '1 model failed' });
  // The lag is the time since the last successful check: date it on the test's clock.
  await database.db.execute(
    sql`UPDATE sync_state SET last_success_at = ${new Date(now.getTime() - 10 * 60_000)} WHERE last_success_at IS NOT NULL`,
  );
});

afterAll(async () => {
  await drop();
});

describe('status', () => {
  it('shows quarantined records: flagged in the list, listed with their reasons for the integration', async () => {
    const out = memoryOutput();
    await runStatus({ db: database, out, now: () => now });
    expect(
      out.stdout
        .join('\n')
        .split('\n')
        .find((line) => line.startsWith('personio:a')),
    ).toMatch(/\sfailing,lagging,quarantined\s/);
    const detailOut = memoryOutput();
    await runStatus({ db: database, out: detailOut, now: () => now }, { integrationId: 'personio:a' });
    const text = detailOut.stdout.join('\n');
    expect(text).toMatch(/MODEL\s+WATERMARK.*LAST ERROR\s+QUARANTINED/);
    expect(text).toMatch(/hris_employees\s.*\s1$/m);
    expect(text).toMatch(
      /Quarantined records[^\n]*\n.*RECORD\s+ATTEMPTS[\s\S]*hris_employees\s+e9\s+1\s.*breaks the schema/,
    );
    const json = memoryOutput();
    await runStatus({ db: database, out: json, now: () => now }, { integrationId: 'personio:a', json: true });
    const detail = JSON.parse(json.stdout.join('')) as { quarantinedRecords: { recordId: string }[] };
    expect(detail.quarantinedRecords.map((q) => q.recordId)).toEqual(['e9']);
  });

  it('prints the fleet summary, then the integrations needing attention', async () => {
    const out = memoryOutput();
    expect(await runStatus({ db: database, out, now: () => now })).toBe(0);
    const lines = out.stdout.join('\n').split('\n');
    expect(lines[0]).toBe(
      'Integrations: 2 (0 ok); 0 not-found, 0 inactive, 1 failing, 0 paused, 2 lagging, 0 running, 0 kombo-failed, ' +
        '1 quarantined',
    );
    expect(lines[1]).toBe('Oldest lag: 10m (personio:a, hris_employees)');
    expect(lines).toContain('Needing attention: 2');
    expect(lines.find((line) => line.startsWith('INTEGRATION'))).toMatch(
      /^INTEGRATION\s+ENVIRONMENT\s+TOOL\s+STATE\s+HEALTH\s+SYNCED\s+FAILED\s+LAG\s+LAST SUCCESS\s+RUNNING\s+LAST ERROR$/,
    );
    expect(lines.find((line) => line.startsWith('personio:a'))).toMatch(
      /personio:a\s+default\s+personio\s+ACTIVE\s+failing,lagging,quarantined\s+1\/2\s+1\s+10m\s+2\d{3}-\S+ \S+Z\s+-\s+REMOTE.RATE_LIMIT_EXCEEDED: slow down/,
    );
    expect(lines.find((line) => line.startsWith('greenhouse:b'))).toMatch(
      /ACTIVE\s+lagging\s+0\/0\s+0\s+-\s+-\s+-\s+-$/,
    );
    expect(lines.join('\n')).not.toContain('bamboohr:gone');
  });

  it('flags an integration Kombo answers INTEGRATION_NOT_FOUND for', async () => {
    const since = new Date('2026-11-28T11:00:00.000Z');
    await setIntegrationState(database, 'greenhouse:b', { notFoundSince: since });
    try {
      const out = memoryOutput();
      await runStatus({ db: database, out, now: () => now }, { filter: 'not-found' });
      const text = out.stdout.join('\n');
      expect(text).toContain('Integrations not-found: 1');
      expect(text.split('\n').find((line) => line.startsWith('greenhouse:b'))).toMatch(
        /greenhouse:b\s+default\s+greenhouse\s+ACTIVE \(not found\)\s+not-found,lagging\s/,
      );
      expect(text).not.toMatch(/^personio:a/m);
      const detail = memoryOutput();
      await runStatus({ db: database, out: detail, now: () => now }, { integrationId: 'greenhouse:b' });
      expect(detail.stdout[0]).toContain('not found since 2026-11-28 11:00:00Z');
      const list = memoryOutput();
      await runIntegrationsList({ db: database, out: list });
      expect(
        list.stdout
          .join('\n')
          .split('\n')
          .find((line) => line.startsWith('greenhouse:b')),
      ).toMatch(/ACTIVE \(not found\)/);
    } finally {
      await setIntegrationState(database, 'greenhouse:b', { notFoundSince: null });
    }
  });

  it('prints JSON with --json', async () => {
    const out = memoryOutput();
    await runStatus({ db: database, out, now: () => now }, { json: true, all: true });
    const parsed = JSON.parse(out.stdout.join('\n')) as {
      summary: { integrations: number };
      selected: number;
      integrations: Record<string, unknown>[];
    };
    expect(parsed.summary.integrations).toBe(2);
    expect(parsed.selected).toBe(2);
    expect(parsed.integrations.map((i) => i.id)).toEqual(['greenhouse:b', 'personio:a']);
    expect(parsed.integrations[1]).toMatchObject({
      modelCounts: { active: 2, synced: 1, failing: 1 },
      maxLagSeconds: 600,
      quarantined: 1,
    });
  });

  it('rejects an unknown --filter with a usage error', async () => {
    await expect(
      runStatus({ db: database, out: memoryOutput() }, { filter: 'failing,bogus' }),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('not bogus'),
    });
  });

  it('shows one integration per model with row counts and its last runs', async () => {
    const out = memoryOutput();
    await runStatus({ db: database, out, now: () => now }, { integrationId: 'personio:a' });
    const text = out.stdout.join('\n');
    expect(text).toMatch(/hris_employees\s+2026-11-28 11:50:00Z\s+10m\s+\S+ \S+Z\s+-\s+2\s+1\s+0\s+-/);
    expect(text).toMatch(/hris_absences\s+-\s+-\s+-\s+-\s+0\s+0\s+1\s+REMOTE.RATE_LIMIT_EXCEEDED: slow down/);
    expect(text).toMatch(/hris_time_off_balances/);
    expect(text).not.toMatch(/ats_jobs/);
    expect(text).toMatch(/Last runs:\n.*RUN\s+KIND\s+TRIGGER\s+STATUS[\s\S]*full\s+manual\s+partial/);

    const json = memoryOutput();
    await runStatus({ db: database, out: json, now: () => now }, { integrationId: 'personio:a', json: true });
    const detail = JSON.parse(json.stdout.join('\n')) as {
      models: { model: string; rows: { total: number; deleted: number } }[];
      recentRuns: unknown[];
    };
    expect(detail.models.find((m) => m.model === 'hris_employees')).toMatchObject({
      rows: { total: 2, deleted: 1 },
    });
    expect(detail.recentRuns).toHaveLength(1);
  });

  it('rejects an unknown or deleted integration with exit code 3', async () => {
    for (const id of ['nope:x', 'bamboohr:gone']) {
      const failure = runStatus({ db: database, out: memoryOutput() }, { integrationId: id });
      await expect(failure).rejects.toBeInstanceOf(IntegrationNotFoundError);
      await expect(failure).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining(id) });
    }
  });
});

describe('integrations list', () => {
  it('lists integrations as a table or JSON, deleted ones on request', async () => {
    const out = memoryOutput();
    await runIntegrationsList({ db: database, out });
    expect(out.stdout.join('\n')).toMatch(/greenhouse:b\s+default\s+greenhouse\s+ATS\s+ACTIVE/);
    const json = memoryOutput();
    await runIntegrationsList({ db: database, out: json }, { json: true, includeDeleted: true });
    const ids = (JSON.parse(json.stdout.join('')) as { integrations: { id: string }[] }).integrations.map(
      (i) => i.id,
    );
    expect(ids).toEqual(['bamboohr:gone', 'greenhouse:b', 'personio:a']);
  });
});

describe('status --environment', () => {
  it('lists only the integrations of one Kombo environment; a bad name is a usage error', async () => {
    await upsertIntegration(database, { id: 'us/personio:a', tool: 'personio', category: 'HRIS' });
    await upsertIntegration(database, { id: 'dev/greenhouse:b', tool: 'greenhouse', category: 'ATS' });
    const listed = async (options: Parameters<typeof runStatus>[1]) => {
      const out = memoryOutput();
      await runStatus({ db: database, out, now: () => now }, { json: true, ...options });
      const parsed = JSON.parse(out.stdout.join('\n')) as {
        selected: number;
        integrations: { id: string; environment: string }[];
      };
      return parsed.integrations.map(({ id, environment }) => `${environment} ${id}`);
    };
    expect(await listed({ environment: 'us', all: true })).toEqual(['us us/personio:a']);
    expect(await listed({ environment: 'default', all: true })).toEqual([
      'default greenhouse:b',
      'default personio:a',
    ]);
    // With the attention filter and a page size, as without an environment.
    expect(await listed({ environment: 'dev', filter: 'lagging', limit: 1 })).toEqual([
      'dev dev/greenhouse:b',
    ]);
    expect(await listed({ environment: 'eu', all: true })).toEqual([]);

    const text = memoryOutput();
    await runStatus({ db: database, out: text, now: () => now }, { environment: 'us', filter: 'all' });
    expect(text.stdout.join('\n')).toContain('All integrations, environment us: 1');
    for (const bad of ['US', 'us/x', '']) {
      await expect(
        runStatus({ db: database, out: memoryOutput() }, { environment: bad }),
      ).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--environment') });
    }
  });
});
