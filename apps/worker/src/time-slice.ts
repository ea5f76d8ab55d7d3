import type { SyncLane } from '@kombo-sync/queue';
import type { YieldReason } from '@kombo-sync/sync';

/** A run's time slice: its signal is the run's yield signal for reason `slice` (see {@link startTimeSlice}). */
export interface TimeSlice {
  /** Aborts with reason `'slice'` when the slice ends; undefined in the delta lane or with slices off. */
  readonly signal: AbortSignal | undefined;
  /** Tells the slice the run committed a page that changed rows: the integration has rows now. */
  onPageCommitted(): void;
  /** Tells the slice the run wrote a page (changed or not): a bulk slice ends once it wrote `minPages`. */
  onPageWritten(): void;
  /** Stops the slice's timers (the run ended). Idempotent. */
  stop(): void;
}

export interface TimeSliceOptions {
  lane: SyncLane;
  /** The slice's length, ms (SYNC_BULK_SLICE_MS); 0: no slices. */
  sliceMs: number;
  /**
   * Least pages a slice writes before its length ends it (SYNC_BULK_SLICE_MIN_PAGES); default 0. A slice's fixed
   * costs (the hand-over, the plan's reads, the next slice's first page fetched with nothing to overlap it) are about
   * one page's round trip, so however slow Kombo's pages are they stay a small share of the slice.
   */
  minPages?: number;
  /** Whether another integration's first slice waits in the onboarding lane (asked in the onboarding lane only). */
  isFirstSliceWaiting: () => Promise<boolean>;
  /**
   * Least time an onboarding slice runs before it gives way to another first slice, ms. Default
   * {@link ONBOARDING_SHARE_MS} (at most the slice's length).
   */
  onboardingShareMs?: number;
  /** How often an onboarding slice asks whether another first slice waits, once it may give way, ms. Default 250. */
  checkEveryMs?: number;
}

/**
 * Least time a new integration's first slice keeps its onboarding slot when other new integrations wait: short, so
 * that a burst of new integrations each get their first rows within about a second of one another. A small
 * integration cut short loses little: the rest of its pass waits in the bulk lane ahead of the passes that have done
 * more (`priorityOf`).
 */
export const ONBOARDING_SHARE_MS = 1_000;

const SLICE: YieldReason = 'slice';

/**
 * Starts the time slice of a run in `lane`. In the bulk lane the slice ends after `sliceMs`, once it wrote `minPages`
 * pages. In the onboarding lane it also ends early, after {@link ONBOARDING_SHARE_MS}, once the run committed a page
 * and another integration's first slice waits: a new integration keeps the onboarding slot only until it has rows
 * while others have none. When the slice ends the run stops at its next page boundary and its job waits in line
 * again (`requeueAfterSlice`). Changes (the delta lane) are never sliced.
 */
export function startTimeSlice({
  lane,
  sliceMs,
  minPages = 0,
  isFirstSliceWaiting,
  onboardingShareMs = ONBOARDING_SHARE_MS,
  checkEveryMs = 250,
}: TimeSliceOptions): TimeSlice {
  if (lane === 'delta' || sliceMs === 0)
    return { signal: undefined, onPageCommitted() {}, onPageWritten() {}, stop() {} };
  const controller = new AbortController();
  let hasRows = false;
  let isStopped = false;
  let pagesWritten = 0;
  /** The slice's length is over; it ends at its `minPages`-th page. */
  let isDue = false;
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
  const sliceTimer = setTimeout(() => (pagesWritten >= minPages ? end() : (isDue = true)), sliceMs).unref();
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
  return {
    signal: controller.signal,
    onPageCommitted: () => void (hasRows = true),
    onPageWritten() {
      pagesWritten += 1;
      if (isDue && !isStopped && pagesWritten >= minPages) end();
    },
    stop,
  };
}
