import type { ModelName } from '@kombo-sync/catalog';
import type { ModelKey, OpenPassInput, OpenPassState, PassCheckpoint } from '@kombo-sync/sync';
import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';

/**
 * The id a pass records in sync_seen_ids when it opens. Kombo ids are never empty, so it matches no row; it is there
 * to be missed: sync_seen_ids is UNLOGGED, so a Postgres crash (or a failover) empties it, and a pass whose marker
 * is gone has lost the ids it saw and must start over rather than mark them deleted.
 */
export const PASS_MARKER_ID = '';

/**
 * The integration's open passes by model (see schema/sync-passes.ts): `cursorAgeMs` by Postgres's clock, `isIntact`
 * while the marker is still in sync_seen_ids.
 */
export async function getOpenPasses(
  db: DbLike,
  integrationId: string,
): Promise<Map<ModelName, OpenPassState>> {
  const result = await toExecutor(db).execute<{
    model: ModelName;
    pass_id: string | number;
    started_at: string | Date;
    cursor: string | null;
    pages: number;
    cursor_age_ms: string | number;
    is_intact: boolean;
  }>(sql`
    SELECT p.model, p.pass_id, p.started_at, p.cursor, p.pages,
      (extract(epoch FROM now() - p.checkpointed_at) * 1000)::bigint AS cursor_age_ms,
      EXISTS (SELECT 1 FROM sync_seen_ids s
        WHERE s.run_id = p.pass_id AND s.model = p.model AND s.id = ${PASS_MARKER_ID}::text) AS is_intact
    FROM sync_passes p WHERE p.integration_id = ${integrationId}::text`);
  return new Map(
    result.rows.map((row) => [
      row.model,
      {
        passId: Number(row.pass_id),
        startedAt: new Date(row.started_at),
        cursor: row.cursor,
        pages: row.pages,
        cursorAgeMs: Number(row.cursor_age_ms),
        isIntact: row.is_intact,
      },
    ]),
  );
}

/** Pages the integration's open passes have written: how much of its passes under way is done. */
export async function openPassPages(db: DbLike, integrationId: string): Promise<number> {
  const result = await toExecutor(db).execute<{ pages: string | number }>(sql`
    SELECT coalesce(sum(pages), 0) AS pages FROM sync_passes WHERE integration_id = ${integrationId}::text`);
  return Number(result.rows[0]?.pages ?? 0);
}

/**
 * Opens a pass (replacing, with its seen ids, any pass of the model still open) and records its marker. Run it in
 * a fenced transaction before the pass writes its first page.
 */
export async function openPass(db: DbLike, input: OpenPassInput): Promise<void> {
  const executor = toExecutor(db);
  await discardPass(executor, input);
  await executor.execute(sql`
    WITH opened AS (
      INSERT INTO sync_passes (integration_id, model, pass_id, started_at)
      VALUES (${input.integrationId}::text, ${input.model}::text, ${input.passId}::bigint,
        ${input.startedAt.toISOString()}::timestamptz)
    )
    INSERT INTO sync_seen_ids (run_id, model, id)
    VALUES (${input.passId}::bigint, ${input.model}::text, ${PASS_MARKER_ID}::text)
    ON CONFLICT DO NOTHING`);
}

/**
 * Moves the pass's checkpoint to page `pages` (1-based, of the listing) whose next page is `cursor` (null: the
 * listing is complete). Never moves it back, and does nothing when the pass is no longer open. Run it in the
 * transaction of page `pages`, and only when every earlier page of the pass is committed.
 */
export async function checkpointPass(db: DbLike, input: ModelKey & PassCheckpoint): Promise<void> {
  await toExecutor(db).execute(sql`
    UPDATE sync_passes SET pages = ${input.pages}::integer, cursor = ${input.cursor}::text, checkpointed_at = now()
    WHERE integration_id = ${input.integrationId}::text AND model = ${input.model}::text
      AND pass_id = ${input.passId}::bigint AND pages < ${input.pages}::integer`);
}

/** Forgets the model's open pass, if any, and its seen ids: the next full pass starts from page 1. */
export async function discardPass(db: DbLike, input: ModelKey): Promise<void> {
  await toExecutor(db).execute(sql`
    WITH discarded AS (
      DELETE FROM sync_passes
      WHERE integration_id = ${input.integrationId}::text AND model = ${input.model}::text
      RETURNING pass_id, model
    )
    DELETE FROM sync_seen_ids s USING discarded d WHERE s.run_id = d.pass_id AND s.model = d.model`);
}

/**
 * Forgets every open pass of the integration (or of one model) with their seen ids: rows deleted or marked deleted
 * in bulk (integration deleted, model unavailable) must be read again from page 1, not from a checkpoint past them.
 */
export async function discardPasses(db: DbLike, integrationId: string, model?: ModelName): Promise<void> {
  await toExecutor(db).execute(sql`
    WITH discarded AS (
      DELETE FROM sync_passes
      WHERE integration_id = ${integrationId}::text AND (${model ?? null}::text IS NULL OR model = ${model ?? null}::text)
      RETURNING pass_id, model
    )
    DELETE FROM sync_seen_ids s USING discarded d WHERE s.run_id = d.pass_id AND s.model = d.model`);
}
