import { environmentOf } from '@kombo-sync/config';
import { countNotFoundFlagged, getIntegration, setIntegrationState } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import { removeSchedules } from '@kombo-sync/queue';
import { decideNotFound } from './decide-not-found.js';
import type { JobContext } from './job-context.js';

/**
 * Records a state Kombo reported for a known integration (an unknown one is not recorded: planSync records every
 * integration before its run, so there is none to flag). INTEGRATION_NOT_FOUND goes through the grace
 * ({@link decideNotFound}): flagged first, marked NOT_FOUND with its schedules removed only when confirmed.
 */
export async function recordIntegrationState(
  ctx: JobContext,
  integrationId: string,
  state: string,
  log: Logger,
): Promise<void> {
  if (state !== 'NOT_FOUND') {
    if (!(await setIntegrationState(ctx.database, integrationId, { state })))
      log.warn({ state }, 'state of an unrecorded integration: not recorded');
    return;
  }
  const row = await getIntegration(ctx.database, integrationId);
  if (!row) {
    log.warn('Kombo does not know this unrecorded integration: not recorded');
    return;
  }
  const nowMs = (ctx.now ?? Date.now)();
  const graceMs = ctx.config.notFoundGraceMs;
  const decision = decideNotFound(row.notFoundSince, nowMs, graceMs);
  ctx.metrics?.integrationNotFound.inc({
    environment: environmentOf(integrationId),
    decision: decision.action,
  });
  if (decision.action === 'flag') {
    if (!row.notFoundSince) {
      await setIntegrationState(ctx.database, integrationId, { notFoundSince: decision.since });
    }
    log.warn(
      { notFoundSince: decision.since.toISOString(), graceMs },
      'Kombo answers INTEGRATION_NOT_FOUND: flagged; rows and schedules kept until the grace passes',
    );
  } else {
    await setIntegrationState(ctx.database, integrationId, { state: 'NOT_FOUND' });
    await removeSchedules(ctx.queues.delta, integrationId);
    log.warn(
      { notFoundSince: decision.since.toISOString(), graceMs },
      'Kombo answered INTEGRATION_NOT_FOUND for the whole grace: marked NOT_FOUND, schedules removed, rows kept',
    );
  }
  if (ctx.metrics) ctx.metrics.integrationsNotFoundFlagged.set(await countNotFoundFlagged(ctx.database));
}
