import { describe, expect, it } from '@jest/globals';
import { createModelPass } from './model-pass.js';
import { reconcilePass } from './reconcile-pass.js';
import { PassProgress } from './resumable-pass.js';
import { FakePassStore, record, silentLogger } from './testing/fakes.js';
import type { ChangesCommittedEvent } from './types.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const BEFORE = new Date('2026-02-01T10:00:00.000Z');

describe('reconcilePass', () => {
  it('marks the rows the pass did not see deleted, closes the resumable pass and reports the deletions', async () => {
    const store = new FakePassStore();
    await store.writePage({
      integrationId: 'i',
      model: 'hris_employees',
      records: [record('gone'), record('kept')],
      komboFetchedAt: BEFORE,
      runId: 1,
      pageIndex: 0,
      isFullPass: false,
    });
    store.passes.set('hris_employees', { passId: 4, startedAt: T0, cursor: null, pages: 1 });
    store.seen.add('4:hris_employees:kept');
    const pass = createModelPass(
      { logger: silentLogger, now: () => 0 },
      { integrationId: 'i', runId: 9, model: 'hris_employees', state: undefined, mode: 'full', overlapMs: 0 },
    );
    pass.counts.pages = 1;
    const events: ChangesCommittedEvent[] = [];
    await reconcilePass(
      { store, onChangesCommitted: (event) => void events.push(event) },
      pass,
      { plan: { passId: 4, isNew: false }, progress: new PassProgress(4, 1), quarantinedIds: [] },
      T0,
    );
    expect(store.reconciles).toEqual([
      { integrationId: 'i', model: 'hris_employees', runId: 9, passStartedAt: T0, passId: 4 },
    ]);
    expect(pass.counts.deleted).toBe(1);
    expect(store.passes.size).toBe(0);
    expect(events).toEqual([
      expect.objectContaining({ source: 'reconcile', page: 1, komboTime: T0, deletedIds: ['gone'] }),
    ]);
  });
});
