import { describe, expect, it } from '@jest/globals';
import { createModelPass } from './model-pass.js';
import { startPass } from './start-pass.js';
import { FakePassStore, FakeStore, silentLogger } from './testing/fakes.js';
import type { ModelState, SyncMode } from './types.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const HOUR_MS = 3_600_000;

const passOf = (mode: SyncMode, state: ModelState | undefined) =>
  createModelPass(
    { logger: silentLogger, now: () => 0 },
    { integrationId: 'i', runId: 9, model: 'hris_employees', state, mode, overlapMs: 60_000 },
  );
const openPass = (cursorAgeMs = 0) => ({
  passId: 4,
  startedAt: T0,
  cursor: 'c3',
  pages: 3,
  cursorAgeMs,
  isIntact: true,
});

describe('startPass', () => {
  it('opens a new resumable pass for a full pass: the run is its id, checkpoints from page 0', async () => {
    const start = await startPass(new FakePassStore(), passOf('full', { watermark: T0 }), {
      cursorMaxAgeMs: HOUR_MS,
    });
    expect(start.plan).toEqual({ passId: 9, isNew: true });
    expect(start.progress?.checkpointFor(1, 'c1')()).toEqual({ passId: 9, pages: 1, cursor: 'c1' });
  });

  it('resumes the open pass at its checkpoint', async () => {
    const start = await startPass(
      new FakePassStore(),
      passOf('full', { watermark: T0, openPass: openPass() }),
      {
        cursorMaxAgeMs: HOUR_MS,
      },
    );
    expect(start.plan).toMatchObject({ passId: 4, isNew: false, resume: { cursor: 'c3', pages: 3 } });
    // Page 4 of the listing is the first this run writes: it may checkpoint at once.
    expect(start.progress?.checkpointFor(4, 'c4')()).toEqual({ passId: 4, pages: 4, cursor: 'c4' });
  });

  it('discards an open pass whose cursor is older than the bound, and starts a new one', async () => {
    const store = new FakePassStore();
    const start = await startPass(store, passOf('full', { watermark: T0, openPass: openPass(2 * HOUR_MS) }), {
      cursorMaxAgeMs: HOUR_MS,
    });
    expect(store.events.entries).toEqual(['discard-pass:hris_employees']);
    expect(start.plan).toEqual({ passId: 9, isNew: true });
  });

  it('a delta joins the open pass (its seen ids) without checkpointing it', async () => {
    const start = await startPass(
      new FakePassStore(),
      passOf('delta', { watermark: T0, openPass: openPass() }),
      {
        cursorMaxAgeMs: HOUR_MS,
      },
    );
    expect(start.plan).toEqual({ passId: 4, isNew: false });
    expect(start.progress).toBeUndefined();
  });

  it('records no pass with a store that keeps none, and lists the quarantined ids', async () => {
    const store = new FakeStore();
    store.quarantine.set('hris_employees:q1', 1);
    const start = await startPass(store, passOf('full', undefined), { cursorMaxAgeMs: HOUR_MS });
    expect(start.plan).toEqual({ isNew: false });
    expect(start.progress).toBeUndefined();
    expect(start.quarantinedIds).toEqual(['q1']);
  });
});
