import { nextPhaseSlotMs, schedulePhaseMs } from './schedule-phase.js';

export interface FullSyncDueInput {
  integrationId: string;
  /** The integration's full-sync interval, ms. */
  fullEveryMs: number;
  /** When its last full sync finished (epoch ms), or when it was first recorded if it never had one. */
  lastFullAtMs: number;
  nowMs: number;
}

/**
 * Whether a scheduled run of the integration is its full sync: the first full-interval phase slot
 * ({@link schedulePhaseMs} of the full interval) at least half an interval after the last full sync has come. So a
 * full sync follows the last one about one interval later, and integrations created together spread their full
 * syncs over the whole interval, not only over the scheduler's (shorter) tick. A manual full resync moves the next
 * one on. The scheduler runs at its own tick, so a due full sync starts at the first tick at or after its slot.
 */
export function isFullSyncDue({
  integrationId,
  fullEveryMs,
  lastFullAtMs,
  nowMs,
}: FullSyncDueInput): boolean {
  const phaseMs = schedulePhaseMs(integrationId, fullEveryMs);
  return nextPhaseSlotMs(phaseMs, fullEveryMs, lastFullAtMs + fullEveryMs / 2) <= nowMs;
}
