import {
  getIntegration,
  recordFieldDefinitionsError,
  replaceFieldDefinitions,
  withFencedTransaction,
  type Fence,
  type IntegrationRow,
} from '@kombo-sync/db';
import { KomboError } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import type { Intent } from '@kombo-sync/queue';
import { isPausedState, type SyncPlan } from './decide-plan.js';
import type { JobContext } from './job-context.js';
import { errorCode } from './map-error.js';

/** What {@link needsFieldDefinitions} reads of the integration's row (after the intent's lifecycle was applied). */
export type FieldDefinitionsRow = Pick<
  IntegrationRow,
  'fieldDefinitionsRefreshedAt' | 'fieldDefinitionsError' | 'deletedAt' | 'isPaused' | 'state'
>;

/**
 * Whether the field definitions are read again. After a run: the integration was created or changed state (the
 * customer may have remapped its fields), the run has a full pass, or no refresh has succeeded yet (never, or the
 * last failed). When the intent leads to no run (`plan` null: a state change that resumes nothing, nothing enabled
 * to sync): on creation or a state change alone, and only for a live integration Kombo serves (not deleted, not
 * paused by an operator, not INACTIVE, INVALID or NOT_FOUND: those make no request).
 */
export function needsFieldDefinitions(
  intent: Pick<Intent, 'created' | 'state'>,
  plan: Pick<SyncPlan, 'mode' | 'fullModels'> | null,
  row: FieldDefinitionsRow | undefined,
): boolean {
  const isLifecycle = Boolean(intent.created) || Boolean(intent.state);
  if (!plan) return isLifecycle && row !== undefined && isServed(row);
  return (
    isLifecycle ||
    plan.mode === 'full' ||
    (plan.fullModels?.length ?? 0) > 0 ||
    !row?.fieldDefinitionsRefreshedAt ||
    row.fieldDefinitionsError !== null
  );
}

const isServed = (row: FieldDefinitionsRow): boolean =>
  row.deletedAt === null && !row.isPaused && !isPausedState(row.state);

/**
 * Reads both complete listings (custom fields, integration fields) from Kombo and stores them under the job's fence
 * (what a listing no longer has is marked removed), when {@link needsFieldDefinitions} says so: after a run that
 * succeeded, or in place of the run an intent of creation or state change alone does not lead to (`plan` null:
 * called before the intent completes, so a worker dying there leaves it to the job's retry). Best effort, after the
 * run's data: a Kombo error is recorded on the integration, any failure is logged and none
 * changes the job's outcome; the next run asks again.
 */
export async function refreshFieldDefinitions(
  ctx: JobContext,
  {
    fence,
    intent,
    plan,
    signal,
    log,
  }: { fence: Fence; intent: Intent; plan: SyncPlan | null; signal: AbortSignal | undefined; log: Logger },
): Promise<void> {
  const { integrationId } = fence;
  const row = await getIntegration(ctx.database, integrationId);
  if (!needsFieldDefinitions(intent, plan, row)) return;
  try {
    const options = signal ? { signal } : {};
    const customFields = await ctx.kombo.fieldDefinitions('custom-fields', integrationId, options);
    const integrationFields = await ctx.kombo.fieldDefinitions('integration-fields', integrationId, options);
    const counts = await withFencedTransaction(ctx.database, fence, (tx) =>
      replaceFieldDefinitions(tx, {
        integrationId,
        customFields: customFields.results,
        integrationFields: integrationFields.results,
        at: new Date((ctx.now ?? Date.now)()),
      }),
    );
    log.info(counts, 'field definitions refreshed');
  } catch (error) {
    if (signal?.aborted) return;
    if (error instanceof KomboError) {
      await recordFieldDefinitionsError(ctx.database, integrationId, `${error.code}: ${error.message}`);
    }
    // Anything else (the lease lost, Postgres) leaves the last refresh as it was; the run's outcome stands.
    log.warn(
      { code: errorCode(error) },
      'could not refresh the field definitions: asked again on the next run',
    );
  }
}
