import { getPauseState } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import { peekIntent } from '@kombo-sync/queue';
import type { YieldReason } from '@kombo-sync/sync';
import { isPausedState } from './decide-plan.js';
import type { JobContext } from './job-context.js';

/**
 * The engine's `shouldYield` for a run of `integrationId`: asked before each Kombo request (each page boundary), it
 * answers `pause` once an operator paused the integration (`integrations.is_paused`), its recorded state is one that
 * is not synced (INACTIVE, INVALID, NOT_FOUND), or an `integration-state-changed` webhook to such a state waits in
 * the pending intent (recorded by the ingress while this run holds the integration). Two point reads, in parallel;
 * a failed read is logged and the run goes on (its own writes tell it when Postgres is gone).
 */
export function pauseCheck(
  ctx: Pick<JobContext, 'database' | 'redis' | 'config'>,
  integrationId: string,
  log: Logger,
): () => Promise<YieldReason | undefined> {
  return async () => {
    try {
      const [row, pending] = await Promise.all([
        getPauseState(ctx.database, integrationId),
        peekIntent(ctx.redis, ctx.config.queuePrefix, integrationId),
      ]);
      if (row?.isPaused || isPausedState(row?.state) || isPausedState(pending?.state?.state)) {
        log.info(
          { state: pending?.state?.state ?? row?.state },
          'integration paused: the run stops at this page',
        );
        return 'pause';
      }
    } catch (err) {
      log.warn({ err }, 'could not read whether the integration is paused; the run goes on');
    }
    return undefined;
  };
}
