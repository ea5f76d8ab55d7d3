import { describe, expect, it } from '@jest/globals';
import { commitPass } from './commit-pass.js';
import { createModelPass } from './model-pass.js';
import { FakeStore, silentLogger } from './testing/fakes.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');

describe('commitPass', () => {
  it('commits the pass start as the watermark with the counts, and reports the model succeeded', async () => {
    const store = new FakeStore();
    let nowMs = 100;
    const pass = createModelPass(
      { logger: silentLogger, now: () => nowMs },
      {
        integrationId: 'i',
        runId: 9,
        model: 'hris_employees',
        state: { watermark: T0 },
        mode: 'delta',
        overlapMs: 0,
      },
    );
    Object.assign(pass.counts, { pages: 2, records: 5, inserted: 3, updated: 1, unchanged: 1 });
    nowMs = 350;
    const summary = await commitPass({ store, now: () => nowMs }, pass, T0);
    expect(store.commits).toEqual([
      {
        integrationId: 'i',
        model: 'hris_employees',
        runId: 9,
        watermark: T0,
        isFullPass: false,
        counts: { pages: 2, records: 5, inserted: 3, updated: 1, unchanged: 1, deleted: 0, quarantined: 0 },
      },
    ]);
    expect(summary).toMatchObject({ status: 'succeeded', watermark: T0, upserted: 4, durationMs: 250 });
  });
});
