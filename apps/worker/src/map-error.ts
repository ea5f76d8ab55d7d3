/*
 * The ONE place where errors become decisions: `classifyError` tells the sync engine what an error means for a
 * model or the run, and `decideOnError` / `throwForDecision` tell BullMQ what to do with the job.
 */
import {
  KomboAuthenticationError,
  KomboError,
  KomboIntegrationInactiveError,
  KomboIntegrationNotFoundError,
  KomboModelUnavailableError,
  KomboRateLimitError,
  KomboSetupPendingError,
} from '@kombo-sync/kombo';
import { FenceLostError, isStoreUnavailableError } from '@kombo-sync/db';
import type { ErrorClassification } from '@kombo-sync/sync';
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';

/**
 * For the engine: a model Kombo does not serve is skipped; integration-wide faults (Kombo's, a lost fence, Postgres
 * down) stop the run; else the model fails.
 */
export function classifyError(error: unknown): ErrorClassification {
  if (error instanceof KomboModelUnavailableError) return { kind: 'skip-model' };
  if (
    error instanceof FenceLostError ||
    isStoreUnavailableError(error) ||
    error instanceof KomboRateLimitError ||
    error instanceof KomboAuthenticationError ||
    error instanceof KomboIntegrationNotFoundError ||
    error instanceof KomboIntegrationInactiveError ||
    error instanceof KomboSetupPendingError
  ) {
    return { kind: 'abort-run' };
  }
  // Kombo refused the request's parameters: on the first request of a resumed pass, its checkpointed cursor.
  if (error instanceof KomboError && (error.code === 'PLATFORM.INPUT_INVALID' || error.status === 400)) {
    return { kind: 'fail-model', isRequestRejected: true };
  }
  return { kind: 'fail-model' };
}

/** What the job does about an error that stopped its run. */
export type ErrorDecision =
  /** the whole API key is throttled: pause both lanes (every worker) until the reset; no attempt used */
  | { action: 'rate-limit-queue'; delayMs: number }
  /** only this integration must wait: move this job to delayed; no attempt used */
  | { action: 'delay-job'; delayMs: number }
  /** retrying cannot help (API key invalid): fail now with a clear error */
  | { action: 'fail-fast'; message: string }
  /** Kombo no longer knows the integration, or it cannot serve data until someone acts: record the state, done */
  | { action: 'set-integration-state'; state: string }
  /** transient (5xx, network, malformed page, failed model): rethrow so attempts with backoff apply */
  | { action: 'retry' };

/** How long a job waits after losing its fence (the new holder runs meanwhile) before trying again, ms. */
const FENCE_LOST_DELAY_MS = 1_000;
/** A job that met Postgres down waits this long plus up to as much again (spread), then tries again, ms. */
const STORE_UNAVAILABLE_DELAY_MS = 5_000;

export interface ErrorDelays {
  /** Used when a key-wide 429 named no reset time. */
  rateLimitFallbackMs: number;
  /** Used when an integration-level 429 or a 409 named no time. */
  integrationDelayFallbackMs: number;
}

const STATE_OF_INACTIVE_CODE: Record<string, string> = {
  'INTEGRATION.INACTIVE': 'INACTIVE',
  'INTEGRATION.AUTHENTICATION_INVALID': 'INVALID',
  'INTEGRATION.PERMISSION_MISSING': 'INVALID',
};

export function decideOnError(error: unknown, delays: ErrorDelays): ErrorDecision {
  if (error instanceof FenceLostError) return { action: 'delay-job', delayMs: FENCE_LOST_DELAY_MS };
  // Postgres down or restarting is the fleet's outage, not this job's fault: wait for it without using attempts.
  if (isStoreUnavailableError(error)) {
    return {
      action: 'delay-job',
      delayMs: STORE_UNAVAILABLE_DELAY_MS + Math.floor(Math.random() * STORE_UNAVAILABLE_DELAY_MS),
    };
  }
  if (error instanceof KomboRateLimitError) {
    if (error.scope === 'key') {
      return { action: 'rate-limit-queue', delayMs: error.retryAfterMs ?? delays.rateLimitFallbackMs };
    }
    return { action: 'delay-job', delayMs: error.retryAfterMs ?? delays.integrationDelayFallbackMs };
  }
  if (error instanceof KomboSetupPendingError) {
    return { action: 'delay-job', delayMs: error.retryAfterMs ?? delays.integrationDelayFallbackMs };
  }
  if (error instanceof KomboAuthenticationError) {
    return { action: 'fail-fast', message: `Kombo rejected the API key (${error.code}): ${error.message}` };
  }
  if (error instanceof KomboIntegrationNotFoundError)
    return { action: 'set-integration-state', state: 'NOT_FOUND' };
  if (error instanceof KomboIntegrationInactiveError) {
    return { action: 'set-integration-state', state: STATE_OF_INACTIVE_CODE[error.code] ?? 'INACTIVE' };
  }
  return { action: 'retry' };
}

/** A stable code for logs and sync_runs.error. */
export function errorCode(error: unknown): string {
  if (error instanceof KomboError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'SYNC.ERROR';
}

/**
 * Performs the BullMQ side of a decision and throws what BullMQ expects (never returns). `set-integration-state`
 * is handled by the caller (it completes the job) and must not reach here.
 */
export async function throwForDecision(
  decision: ErrorDecision,
  {
    error,
    job,
    token,
    queues,
  }: { error: unknown; job: Job; token: string | undefined; queues: readonly Queue[] },
): Promise<never> {
  switch (decision.action) {
    case 'rate-limit-queue':
      await Promise.all(queues.map((queue) => queue.rateLimit(decision.delayMs)));
      throw Worker.RateLimitError();
    case 'delay-job':
      await job.moveToDelayed(Date.now() + decision.delayMs, token);
      throw new DelayedError();
    case 'fail-fast':
      throw new UnrecoverableError(decision.message);
    case 'set-integration-state':
    case 'retry':
      throw error;
  }
}
