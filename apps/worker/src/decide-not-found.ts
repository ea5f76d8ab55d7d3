/** What to do when Kombo answers INTEGRATION_NOT_FOUND for an integration we know. */
export type NotFoundDecision =
  /** first answer of a streak, or still within the grace: flag it (rows and schedules kept) */
  | { action: 'flag'; since: Date }
  /** NOT_FOUND seen again after the whole grace: mark NOT_FOUND and remove its schedules (rows kept) */
  | { action: 'confirm'; since: Date };

/**
 * Decides on an INTEGRATION_NOT_FOUND answer. One answer never counts as a deletion (a key of another environment or
 * region answers it for every integration): a streak starts at `notFoundSince` and is confirmed only by an answer at
 * least `graceMs` later (a zero grace confirms the first answer). A successful sync in between ends the streak (the caller clears `notFoundSince`).
 *
 * @param notFoundSince start of the current streak, null when there is none
 * @param nowMs the decision's clock, epoch ms
 * @param graceMs SYNC_NOT_FOUND_GRACE_MS
 */
export function decideNotFound(notFoundSince: Date | null, nowMs: number, graceMs: number): NotFoundDecision {
  // A zero grace is the operator's opt-out: the first answer is taken as a deletion.
  if (!notFoundSince) return { action: graceMs === 0 ? 'confirm' : 'flag', since: new Date(nowMs) };
  return nowMs - notFoundSince.getTime() >= graceMs
    ? { action: 'confirm', since: notFoundSince }
    : { action: 'flag', since: notFoundSince };
}
