import { recordConnectionFlowFailure, recordKomboState, recordKomboSync } from '@kombo-sync/db';
import { requestSync, signalJobDataSchema, type KomboSignal } from '@kombo-sync/queue';
import type { Logger } from '@kombo-sync/logger';
import type { Job } from 'bullmq';
import { isPausedState } from './decide-plan.js';
import { registerIntegrationSchedule } from './integration-schedule.js';
import type { JobContext } from './job-context.js';

/** What a `record-signal` job did (its BullMQ result). */
export type SignalResult =
  | { outcome: 'recorded'; kind: KomboSignal['kind']; isResumed?: boolean }
  /** Unknown integration (recorded from Kombo when first synced), an older state, or a replayed event. */
  | { outcome: 'not-recorded'; kind: KomboSignal['kind'] };

/**
 * Records one of Kombo's health signals in Postgres at once, without the integration's lease, so a pass running for
 * the integration sees a state change on its `integrations` row at its next page boundary:
 * - a state (`integration-state-changed`) unless a newer one is recorded; INACTIVE/INVALID stop the integration's
 *   requests (runs plan nothing, a running pass yields). Back to ACTIVE from a paused state, this step (or the run
 *   that applies the intent's state, whichever records the change) asks for a delta of every model: the catch-up;
 * - Kombo's own sync outcome (`sync-finished`, every state) with its log link, unless a later one is recorded;
 * - a failed connection flow (`connection-flow-failed`), once per event id.
 */
export async function processSignalJob(ctx: JobContext, job: Job): Promise<SignalResult> {
  const { eventId, signal } = signalJobDataSchema.parse(job.data);
  const { database } = ctx;
  const log = ctx.logger.child({ jobId: job.id, eventId, signal: signal.kind });
  switch (signal.kind) {
    case 'state':
      return recordState(ctx, signal, log);
    case 'sync-finished': {
      const isRecorded = await recordKomboSync(database, signal.integrationId, {
        syncId: signal.syncId,
        state: signal.syncState,
        endedAt: new Date(signal.endedAt),
        logUrl: signal.logUrl,
      });
      if (isRecorded && signal.syncState !== 'SUCCEEDED')
        log.warn(
          { integrationId: signal.integrationId, syncState: signal.syncState, logUrl: signal.logUrl },
          "Kombo's own sync of the integration did not succeed",
        );
      return { outcome: isRecorded ? 'recorded' : 'not-recorded', kind: signal.kind };
    }
    case 'connection-flow-failed': {
      const isRecorded = await recordConnectionFlowFailure(database, {
        eventId,
        tool: signal.tool,
        category: signal.category,
        originId: signal.originId,
        organizationName: signal.organizationName,
        creatorEmail: signal.creatorEmail,
        logUrl: signal.logUrl,
      });
      if (isRecorded)
        log.warn(
          { tool: signal.tool, organizationName: signal.organizationName, logUrl: signal.logUrl },
          'an end user failed to connect a tool (connection-flow-failed)',
        );
      return { outcome: isRecorded ? 'recorded' : 'not-recorded', kind: signal.kind };
    }
  }
}

/**
 * Records Kombo's state of an integration unless a newer one is recorded; back to ACTIVE from a paused state, asks
 * for the catch-up delta of every model (and registers its schedule again).
 */
async function recordState(
  ctx: JobContext,
  signal: Extract<KomboSignal, { kind: 'state' }>,
  log: Logger,
): Promise<SignalResult> {
  const { database } = ctx;
  const { integrationId, state } = signal;
  const recorded = await recordKomboState(database, integrationId, {
    state,
    ...(signal.setupStatus === undefined ? {} : { setupStatus: signal.setupStatus }),
    ...(signal.qaStatus === undefined ? {} : { qaStatus: signal.qaStatus }),
    at: new Date(signal.updatedAt),
  });
  if (!recorded.isRecorded) return { outcome: 'not-recorded', kind: signal.kind };
  const isResumed = isPausedState(recorded.previousState) && !isPausedState(state);
  if (isResumed) {
    await registerIntegrationSchedule(ctx, integrationId);
    await requestSync(ctx.request, {
      integrationId,
      intent: { models: 'all', triggers: ['state:active'] },
    });
  }
  if (isPausedState(state) || isResumed)
    log.info(
      { integrationId, state, previousState: recorded.previousState },
      isResumed
        ? 'Kombo reports the integration ACTIVE again: a delta of every model catches up'
        : 'Kombo reports the integration not servable: no requests until it is ACTIVE again',
    );
  return { outcome: 'recorded', kind: signal.kind, isResumed };
}
