// A SYNC_HANDLERS_MODULE for tests (not production code): every page transaction of the test models lasts
// SLOW_PAGE_SECONDS longer, as large pages on a busy Postgres do, so a run's page transactions overlap.
import type { Executor } from '@kombo-sync/db';
import type { SyncHandlers } from '@kombo-sync/sync';
import { sql } from 'drizzle-orm';

/** How long each page transaction waits inside, s. */
export const SLOW_PAGE_SECONDS = 0.4;

const slow = async ({ tx }: { tx: Executor }): Promise<void> => {
  await tx.execute(sql`SELECT pg_sleep(${SLOW_PAGE_SECONDS})`);
};

export const handlers: SyncHandlers<Executor> = {
  hris_employees: slow,
  hris_employments: slow,
  hris_groups: slow,
};
