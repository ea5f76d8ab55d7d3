import {
  getIntegration,
  recordFieldDefinitionsError,
  replaceFieldDefinitions,
  withFencedTransaction,
  type Fence,
} from '@kombo-sync/db';
import { KomboError } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import type { Intent } from '@kombo-sync/queue';
import type { SyncPlan } from './decide-plan.js';
import type { JobContext } from './job-context.js';
import { errorCode } from './map-error.js';

/**
 * Whether the run reads the field definitions again: the integration was created or changed state (the customer may
 * have remapped its fields), the run has a full pass, or no refresh has succeeded yet (never, or the last failed).
 */
export function needsFieldDefinitions(
  intent: Pick<Intent, 'created' | 'state'>,
  plan: Pick<SyncPlan, 'mode' | 'fullModels'>,
  row: { fieldDefinitionsRefreshedAt: Date | null; fieldDefinitionsError: string | null } | undefined,
): boolean {
  return (
    Boolean(intent.created) ||
    Boolean(intent.state) ||
    plan.mode === 'full' ||
    (plan.fullModels?.length ?? 0) > 0 ||
    !row?.fieldDefinitionsRefreshedAt ||
    row.fieldDefinitionsError !== null
  );
}

/**
 * Reads both complete listings (custom fields, integration fields) from Kombo and stores them under the run's fence
 * (what a listing no longer has is marked removed). Best effort, after the run's data: a Kombo error is recorded on the
 * integration, any failure is logged and none changes the run's outcome; the next run asks again (see
 * {@link needsFieldDefinitions}).
 */
export async function refreshFieldDefinitions(
  ctx: JobContext,
  {
    fence,
    intent,
    plan,
    signal,
    log,
  }: { fence: Fence; intent: Intent; plan: SyncPlan; signal: AbortSignal | undefined; log: Logger },
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
