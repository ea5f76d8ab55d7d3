import type { ModelName } from '@kombo-sync/catalog';
import { eq, sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { integrations, type IntegrationRow } from './schema/integrations.js';

/** An operator's controls of one integration, as stored (null: the fleet's default). */
export interface IntegrationControls {
  isPaused: boolean;
  /** When it was last paused or resumed; null: never. */
  pauseChangedAt: Date | null;
  /** The models it syncs; null: every enabled model. */
  models: ModelName[] | null;
  fullIntervalMs: number | null;
  safetyNetIntervalMs: number | null;
}

/** The controls of a row. */
export function controlsOf(row: IntegrationRow): IntegrationControls {
  return {
    isPaused: row.isPaused,
    pauseChangedAt: row.pauseChangedAt,
    models: (row.models as ModelName[] | null) ?? null,
    fullIntervalMs: row.fullIntervalMs,
    safetyNetIntervalMs: row.safetyNetIntervalMs,
  };
}

/** What an operator changes: omitted fields keep their value, null restores the fleet's default. */
export interface IntegrationControlsInput {
  isPaused?: boolean;
  models?: ModelName[] | null;
  fullIntervalMs?: number | null;
  safetyNetIntervalMs?: number | null;
}

/**
 * Updates the given controls of a live (not deleted) integration and returns the row before and after, or
 * undefined when there is no such integration. A change of `isPaused` stamps `pause_changed_at` (Postgres's
 * clock), which a run compares across its planning; setting it to its current value stamps nothing. `models` is
 * stored without repeats. The row is locked for the update, so `before` is exactly what the update replaced.
 */
export async function setIntegrationControls(
  db: DbLike,
  id: string,
  input: IntegrationControlsInput,
): Promise<{ before: IntegrationRow; after: IntegrationRow } | undefined> {
  return toExecutor(db).transaction(async (tx) => {
    const [before] = await tx.select().from(integrations).where(eq(integrations.id, id)).for('update');
    if (!before || before.deletedAt) return undefined;
    const set: Record<string, unknown> = {};
    if (input.isPaused !== undefined && input.isPaused !== before.isPaused) {
      set.isPaused = input.isPaused;
      set.pauseChangedAt = sql`clock_timestamp()`;
    }
    // A model named twice is one model: stored once, in the order first named.
    if (input.models !== undefined) set.models = input.models === null ? null : [...new Set(input.models)];
    if (input.fullIntervalMs !== undefined) set.fullIntervalMs = input.fullIntervalMs;
    if (input.safetyNetIntervalMs !== undefined) set.safetyNetIntervalMs = input.safetyNetIntervalMs;
    if (Object.keys(set).length === 0) return { before, after: before };
    const [after] = await tx
      .update(integrations)
      .set({ ...set, updatedAt: sql`now()` })
      .where(eq(integrations.id, id))
      .returning();
    if (!after) throw new Error(`setIntegrationControls updated no row for ${id}`);
    return { before, after };
  });
}
