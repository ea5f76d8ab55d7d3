import { isFullSyncDue } from './full-sync-due.js';
import { nextPhaseSlotMs, schedulePhaseMs } from './schedule-phase.js';

const HOUR_MS = 60 * 60 * 1000;
const WEEK_MS = 7 * 24 * HOUR_MS;

describe('isFullSyncDue', () => {
  it('is due from the first phase slot at least half an interval after the last full sync', () => {
    const integrationId = 'personio:abc';
    const lastFullAtMs = Date.UTC(2026, 0, 1);
    const slot = nextPhaseSlotMs(
      schedulePhaseMs(integrationId, WEEK_MS),
      WEEK_MS,
      lastFullAtMs + WEEK_MS / 2,
    );
    const due = (nowMs: number) =>
      isFullSyncDue({ integrationId, fullEveryMs: WEEK_MS, lastFullAtMs, nowMs });
    expect(due(slot - 1)).toBe(false);
    expect(due(slot)).toBe(true);
    expect(due(lastFullAtMs + HOUR_MS)).toBe(false);
    // The next one, after a full sync that finished an hour after the slot: one interval later.
    const next = nextPhaseSlotMs(
      schedulePhaseMs(integrationId, WEEK_MS),
      WEEK_MS,
      slot + HOUR_MS + WEEK_MS / 2,
    );
    expect(next).toBe(slot + WEEK_MS);
  });

  it('spreads the full syncs of integrations created together over the whole interval', () => {
    const createdAtMs = Date.UTC(2026, 0, 1);
    const slots: number[] = [];
    for (let i = 0; i < 200; i++) {
      const integrationId = `tool:${i}`;
      const slot = nextPhaseSlotMs(
        schedulePhaseMs(integrationId, WEEK_MS),
        WEEK_MS,
        createdAtMs + WEEK_MS / 2,
      );
      expect(
        isFullSyncDue({ integrationId, fullEveryMs: WEEK_MS, lastFullAtMs: createdAtMs, nowMs: slot }),
      ).toBe(true);
      slots.push(slot);
    }
    // Spread over the whole week (half an interval to one and a half after creation), not bunched.
    expect(Math.min(...slots)).toBeGreaterThanOrEqual(createdAtMs + WEEK_MS / 2);
    expect(Math.max(...slots)).toBeLessThan(createdAtMs + 1.5 * WEEK_MS);
    expect(Math.max(...slots) - Math.min(...slots)).toBeGreaterThan(6 * 24 * HOUR_MS);
  });
});
