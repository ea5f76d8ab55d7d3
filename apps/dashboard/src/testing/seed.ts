// Test support: a few integrations with sync state, runs and rows, through packages/db's own functions.
import type { ModelName } from '@kombo-sync/catalog';
import {
  commitModelSuccess,
  finishRun,
  quarantineRecords,
  recordModelFailure,
  startRun,
  upsertIntegration,
  writePage,
  type Database,
} from '@kombo-sync/db';
import { sql } from 'drizzle-orm';

export const NOW = new Date('2026-11-28T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

export const HEALTHY = 'personio:healthy';
/** Its error message carries markup, to prove escaping. */
export const FAILING = 'greenhouse:failing';
export const NEVER_SYNCED = 'bamboohr:new';

function employee(id: string, changedAt: Date) {
  return { id, changed_at: changedAt.toISOString(), remote_deleted_at: null, first_name: `Name ${id}` };
}

export async function seed(db: Database): Promise<void> {
  await upsertIntegration(db, {
    id: HEALTHY,
    tool: 'personio',
    category: 'HRIS',
    state: 'ACTIVE',
    organizationName: 'Acme',
  });
  await upsertIntegration(db, { id: FAILING, tool: 'greenhouse', category: 'ATS', state: 'ACTIVE' });
  await upsertIntegration(db, { id: NEVER_SYNCED, tool: 'bamboohr', category: 'HRIS', state: 'ACTIVE' });

  const run = await startRun(db, { integrationId: HEALTHY, kind: 'full', trigger: 'manual' });
  const records = ['e1', 'e2', 'e3'].map((id) => employee(id, minutesAgo(30)));
  await writePage(db, {
    integrationId: HEALTHY,
    model: 'hris_employees',
    records,
    komboFetchedAt: minutesAgo(6),
    runId: run,
    pageIndex: 0,
    isFullPass: false,
  });
  const counts = { pages: 1, records: 3, inserted: 3, updated: 0, unchanged: 0, deleted: 0, quarantined: 0 };
  for (const model of ['hris_employees', 'hris_groups'] as ModelName[]) {
    await commitModelSuccess(db, {
      integrationId: HEALTHY,
      model,
      runId: run,
      watermark: minutesAgo(5),
      isFullPass: true,
      counts,
    });
  }
  await finishRun(db, run, { status: 'succeeded' });
  // One group Postgres refused: set aside, the model still synced. Its reason carries markup, to prove escaping.
  await quarantineRecords(db, {
    integrationId: HEALTHY,
    model: 'hris_groups',
    runId: run,
    entries: [
      {
        recordId: 'g-poison',
        reasonCode: '22003',
        reasonClass: 'data',
        reason: 'SQLSTATE 22003: value overflows numeric format <i>x</i> (record "g-poison")',
        recordText: '{"id":"g-poison"}',
      },
    ],
  });

  const failed = await startRun(db, { integrationId: FAILING, kind: 'delta', trigger: 'data-changed' });
  await commitModelSuccess(db, {
    integrationId: FAILING,
    model: 'ats_jobs',
    runId: failed,
    watermark: minutesAgo(60 * 24),
    isFullPass: false,
    counts,
  });
  await recordModelFailure(db, {
    integrationId: FAILING,
    model: 'ats_candidates',
    runId: failed,
    error: {
      kind: 'fail-model',
      code: 'REMOTE.RATE_LIMIT_EXCEEDED',
      message: 'Too many requests <b>now</b>',
      logUrl: 'https://app.kombo.dev/logs/abc',
      cause: null,
    },
    counts: { pages: 0, records: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, quarantined: 0 },
  });
  await finishRun(db, failed, { status: 'partial', error: 'ats_candidates failed' });
  // Lag is the time since the last successful sync: date those on the test's clock, as the watermarks are.
  await db.db.execute(
    sql`UPDATE sync_state SET last_success_at = watermark WHERE last_success_at IS NOT NULL`,
  );
}
