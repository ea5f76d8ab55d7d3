import { createHash } from 'node:crypto';

/**
 * The phase of an integration's schedules within an interval, in ms, in [0, everyMs): a stable hash (SHA-256) of
 * the integration id scaled to the interval. The same id always gets the same phase, and ids spread evenly over
 * the interval, so a fleet's schedulers are not all due in the same minute however they were created. The phase is
 * the same fraction of any interval, so changing an interval keeps each integration's relative place in it.
 */
export function schedulePhaseMs(integrationId: string, everyMs: number): number {
  const digest = createHash('sha256').update(integrationId).digest();
  // 48 bits: exact in a double, and far finer than any interval in ms.
  return Math.floor((digest.readUIntBE(0, 6) / 2 ** 48) * everyMs);
}

/**
 * The first time at or after `notBeforeMs` (epoch ms) that lies on `phaseMs`, i.e. equals phaseMs modulo
 * `everyMs`. BullMQ runs an `every` scheduler at epoch multiples of `everyMs` plus its offset, so this is where a
 * scheduler with that offset can start without leaving its phase.
 */
export function nextPhaseSlotMs(phaseMs: number, everyMs: number, notBeforeMs: number): number {
  const slot = Math.floor(notBeforeMs / everyMs) * everyMs + phaseMs;
  return slot >= notBeforeMs ? slot : slot + everyMs;
}

/** Whether `timeMs` (epoch ms) lies on `phaseMs` of `everyMs`. */
export function isOnPhase(timeMs: number, phaseMs: number, everyMs: number): boolean {
  return (((timeMs - phaseMs) % everyMs) + everyMs) % everyMs === 0;
}
