import { sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';

/** Integrations in these states are not synced (see the worker's `isPausedState`). */
const SYNCED_STATE = sql`(i.state IS NULL OR i.state NOT IN ('INACTIVE', 'INVALID', 'NOT_FOUND'))`;

/** Seconds since a model of an integration was last checked successfully (its last successful pass). */
export interface SyncLag {
  integrationId: string;
  model: string;
  lagSeconds: number;
}

/**
 * The lag of every model synced at least once, of live integrations that are synced now (not paused by an operator,
 * nor INACTIVE, INVALID or NOT_FOUND at Kombo: those make no requests and are watched by their state), by Postgres's
 * clock. The lag is the
 * time since the last successful pass (`last_success_at`), not the watermark's age: an idle integration whose
 * deltas find nothing keeps an old watermark but is up to date as of its last check. Skipped models are left out.
 * With `isPerIntegration` false, one row per model: the largest lag, with `integrationId` ''.
 */
export async function listSyncLags(
  db: DbLike,
  { isPerIntegration = true }: { isPerIntegration?: boolean } = {},
): Promise<SyncLag[]> {
  // Per model only: one row per model (the largest lag, integrationId ''), aggregated by Postgres.
  const result = await toExecutor(db).execute<{ integration_id: string; model: string; lag: string }>(
    isPerIntegration
      ? sql`
    SELECT s.integration_id, s.model, EXTRACT(EPOCH FROM now() - s.last_success_at) AS lag
    FROM sync_state s JOIN integrations i ON i.id = s.integration_id
    WHERE s.last_success_at IS NOT NULL AND s.skipped_reason IS NULL
      AND i.deleted_at IS NULL AND NOT i.is_paused AND ${SYNCED_STATE}`
      : sql`
    SELECT '' AS integration_id, s.model, EXTRACT(EPOCH FROM now() - min(s.last_success_at)) AS lag
    FROM sync_state s JOIN integrations i ON i.id = s.integration_id
    WHERE s.last_success_at IS NOT NULL AND s.skipped_reason IS NULL
      AND i.deleted_at IS NULL AND NOT i.is_paused AND ${SYNCED_STATE}
    GROUP BY s.model`,
  );
  return result.rows.map((row) => ({
    integrationId: row.integration_id,
    model: row.model,
    lagSeconds: Math.max(0, Number(row.lag)),
  }));
}
