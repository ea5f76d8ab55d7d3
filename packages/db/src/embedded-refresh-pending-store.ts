import { UNTRACKED_EMBEDS, type ModelName } from '@kombo-sync/catalog';
import type { ListPendingEmbeddedInput, PendingEmbeddedChild } from '@kombo-sync/sync';
import { eq, sql } from 'drizzle-orm';
import { toExecutor, type DbLike } from './create-database.js';
import { embeddedRefreshPending } from './schema/embedded-refresh-pending.js';

const EMBEDDED_CHILDREN: ReadonlySet<string> = new Set(UNTRACKED_EMBEDS.map((embed) => embed.child));

/**
 * Records that the parents embedding these children (changed or deleted) need a refetch. Only children of catalog
 * `UNTRACKED_EMBEDS` are recorded (other models: a no-op). Call it in the transaction of the page that changed them.
 */
export async function addPendingEmbedded(
  db: DbLike,
  input: { integrationId: string; model: ModelName; childIds: readonly string[] },
): Promise<void> {
  if (input.childIds.length === 0 || !EMBEDDED_CHILDREN.has(input.model)) return;
  await toExecutor(db).execute(
    sql`INSERT INTO embedded_refresh_pending (integration_id, model, child_id)
      SELECT ${input.integrationId}::text, ${input.model}::text, id
      FROM (SELECT DISTINCT jsonb_array_elements_text(${JSON.stringify(input.childIds)}::jsonb) AS id) AS ids
      ORDER BY id
      ON CONFLICT (integration_id, model, child_id)
      DO UPDATE SET version = embedded_refresh_pending.version + 1`,
  );
}

/** The integration's pending children of `models`, ordered by (model, child id), at most `limit`. */
export async function listPendingEmbedded(
  db: DbLike,
  input: ListPendingEmbeddedInput,
): Promise<PendingEmbeddedChild[]> {
  if (input.models.length === 0) return [];
  const t = embeddedRefreshPending;
  const after = input.after
    ? sql`AND (${t.model}, ${t.childId}) > (${input.after.model}::text, ${input.after.childId}::text)`
    : sql``;
  const rows = await toExecutor(db)
    .select({ model: t.model, childId: t.childId, version: t.version })
    .from(t)
    .where(
      sql`${t.integrationId} = ${input.integrationId} AND ${t.model} IN (SELECT jsonb_array_elements_text(${JSON.stringify(input.models)}::jsonb)) ${after}`,
    )
    .orderBy(t.model, t.childId)
    .limit(input.limit);
  return rows.map((row) => ({ ...row, model: row.model as ModelName }));
}

/**
 * Deletes the handled pending rows, each only at the version read (a change recorded since then stays pending), and
 * every row of `models` (children whose parents need no refetch in this run: read whole, or never synced).
 */
export async function clearPendingEmbedded(
  db: DbLike,
  input: {
    integrationId: string;
    children: readonly PendingEmbeddedChild[];
    models?: readonly ModelName[];
  },
): Promise<number> {
  const executor = toExecutor(db);
  let deleted = 0;
  if (input.models && input.models.length > 0) {
    const result = await executor.execute(
      sql`DELETE FROM embedded_refresh_pending WHERE integration_id = ${input.integrationId}::text
        AND model IN (SELECT jsonb_array_elements_text(${JSON.stringify(input.models)}::jsonb))`,
    );
    deleted += result.rowCount ?? 0;
  }
  if (input.children.length === 0) return deleted;
  const result = await executor.execute(
    sql`DELETE FROM embedded_refresh_pending AS p
      USING jsonb_to_recordset(${JSON.stringify(input.children)}::jsonb) AS h("model" text, "childId" text, "version" int)
      WHERE p.integration_id = ${input.integrationId}::text AND p.model = h.model AND p.child_id = h."childId"
        AND p.version = h.version`,
  );
  return deleted + (result.rowCount ?? 0);
}

/** Deletes every pending row of the integration (its data is being deleted). */
export async function discardPendingEmbedded(db: DbLike, integrationId: string): Promise<void> {
  await toExecutor(db)
    .delete(embeddedRefreshPending)
    .where(eq(embeddedRefreshPending.integrationId, integrationId));
}
