import { getSyncStates, markModelDataDeleted, withFencedTransaction, type Fence } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import type { JobContext } from './job-context.js';

/**
 * Marks deleted the rows of models Kombo has reported unavailable (MODEL_NOT_AVAILABLE, MODEL_DISABLED) for longer
 * than SYNC_MODEL_UNAVAILABLE_GRACE_MS, as Kombo does to a model that was turned off. Until then they stay live;
 * a model Kombo serves again clears its unavailability (and its next full pass restores what is live).
 */
export async function expireUnavailableModels(ctx: JobContext, fence: Fence, log: Logger): Promise<void> {
  const { integrationId } = fence;
  const nowMs = (ctx.now ?? Date.now)();
  const graceMs = ctx.config.modelUnavailableGraceMs;
  const states = await getSyncStates(ctx.database, integrationId);
  for (const [model, state] of states) {
    if (!state.unavailableSince || nowMs - state.unavailableSince.getTime() < graceMs) continue;
    const at = new Date(nowMs);
    const rows = await withFencedTransaction(ctx.database, fence, (tx) =>
      markModelDataDeleted(tx, integrationId, model, at),
    );
    if (rows > 0) {
      log.info(
        { model, rows, unavailableSince: state.unavailableSince.toISOString() },
        'model unavailable at Kombo for the whole grace: its rows marked deleted',
      );
    }
  }
}
