/**
 * Example SYNC_HANDLERS_MODULE: keeps a `people` table of the active employees' names and work emails, updated inside
 * each page's transaction (so it is never out of step with hris_employees). Idempotent: upserts and deletes only.
 * Run a worker with SYNC_HANDLERS_MODULE=./examples/people-handler.ts
 */
import type { Executor } from '@kombo-sync/db';
import type { KomboRecord, SyncHandlers } from '@kombo-sync/sync';
import { sql } from 'drizzle-orm';

/** Creates the table on first use (checked per page: cheap, and right even after a rolled-back first page). */
async function ensureTable(tx: Executor): Promise<void> {
  const found = await tx.execute<{ name: string | null }>(sql`SELECT to_regclass('people')::text AS name`);
  if (found.rows[0]?.name) return;
  await tx.execute(sql`
    CREATE TABLE IF NOT EXISTS people (
      integration_id text NOT NULL,
      employee_id text NOT NULL,
      name text,
      email text,
      PRIMARY KEY (integration_id, employee_id)
    )`);
}

/** Active: not deleted in the source and not marked INACTIVE/terminated. */
export function isActiveEmployee(record: KomboRecord): boolean {
  return (
    record.remote_deleted_at === null &&
    record['employment_status'] !== 'INACTIVE' &&
    !record['termination_date']
  );
}

export const handlers: SyncHandlers<Executor> = {
  hris_employees: async ({ tx, integrationId, changed, deleted }) => {
    await ensureTable(tx);
    const active = changed.filter(isActiveEmployee);
    const gone = [...deleted, ...changed.filter((record) => !isActiveEmployee(record))].map(
      (record) => record.id,
    );
    if (active.length > 0) {
      const rows = active.map((record) => ({
        id: record.id,
        name: [record['first_name'], record['last_name']].filter(Boolean).join(' ') || null,
        email: typeof record['work_email'] === 'string' ? record['work_email'] : null,
      }));
      await tx.execute(sql`
        INSERT INTO people (integration_id, employee_id, name, email)
        SELECT ${integrationId}, r->>'id', r->>'name', r->>'email'
        FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS r
        ON CONFLICT (integration_id, employee_id) DO UPDATE SET name = excluded.name, email = excluded.email`);
    }
    if (gone.length > 0) {
      await tx.execute(sql`
        DELETE FROM people WHERE integration_id = ${integrationId}
          AND employee_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(gone)}::jsonb))`);
    }
  },
};
