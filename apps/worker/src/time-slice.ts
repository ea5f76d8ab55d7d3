import type { SyncLane } from '@kombo-sync/queue';
import type { YieldReason } from '@kombo-sync/sync';

/** A run's time slice: its signal is the run's yield signal for reason `slice` (see {@link startTimeSlice}). */
export interface TimeSlice {
  /** Aborts with reason `'slice'` when the slice ends; undefined in the delta lane or with slices off. */
  readonly signal: AbortSignal | undefined;
  /** Tells the slice the run committed a page: the integration has rows now. */
  onPageCommitted(): void;
  /** Stops the slice's timers (the run ended). Idempotent. */
  stop(): void;
}

export interface TimeSliceOptions {
  lane: SyncLane;
  /** The slice's length, ms (SYNC_BULK_SLICE_MS); 0: no slices. */
  sliceMs: number;
  /** Whether another integration's first slice waits in the onboarding lane (asked in the onboarding lane only). */
  isFirstSliceWaiting: () => Promise<boolean>;
  /**
   * Least time an onboarding slice runs before it gives way to another first slice, ms. Default
   * {@link ONBOARDING_SHARE_MS} (at most the slice's length).
   */
  onboardingShareMs?: number;
  /** How often an onboarding slice asks whether another first slice waits, once it may give way, ms. Default 500. */
  checkEveryMs?: number;
}

/**
 * Least time a new integration's first slice keeps its onboarding slot when other new integrations wait: long
 * enough for a small integration's whole initial sync at usual page times, short enough that a burst of new
 * integrations each get their first rows within seconds of one another.
 */
export const ONBOARDING_SHARE_MS = 3_000;

const SLICE: YieldReason = 'slice';

/**
 * Starts the time slice of a run in `lane`. In the bulk lane the slice ends after `sliceMs`. In the onboarding lane
 * it also ends early, after {@link ONBOARDING_SHARE_MS}, once the run committed a page and another integration's
 * first slice waits: a new integration keeps the onboarding slot only until it has rows while others have none.
 * When the slice ends the run stops at its next page boundary and its job waits in line again
 * (`requeueAfterSlice`). Changes (the delta lane) are never sliced.
 */
export function startTimeSlice({
  lane,
  sliceMs,
  isFirstSliceWaiting,
  onboardingShareMs = ONBOARDING_SHARE_MS,
  checkEveryMs = 500,
}: TimeSliceOptions): TimeSlice {
  if (lane === 'delta' || sliceMs === 0) return { signal: undefined, onPageCommitted() {}, stop() {} };
  const controller = new AbortController();
  let hasRows = false;
  let isStopped = false;
  let pollTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    isStopped = true;
    clearTimeout(sliceTimer);
    clearTimeout(pollTimer);
  };
  const end = () => {
    stop();
    controller.abort(SLICE);
  };
  const sliceTimer = setTimeout(end, sliceMs).unref();
  const pollAfter = (ms: number) => {
    if (!isStopped) pollTimer = setTimeout(poll, ms).unref();
  };
  const poll = () => {
    if (!hasRows) return pollAfter(checkEveryMs);
    isFirstSliceWaiting()
      .then((isWaiting) => (isWaiting && !isStopped ? end() : pollAfter(checkEveryMs)))
      // Redis unreachable: ask again; at worst the slice runs to its length.
      .catch(() => pollAfter(checkEveryMs));
  };
  if (lane === 'onboarding' && onboardingShareMs < sliceMs) pollAfter(onboardingShareMs);
  return { signal: controller.signal, onPageCommitted: () => void (hasRows = true), stop };
}
