import { describe, expect, it } from '@jest/globals';
import { SyncSourceContractError } from './errors.js';
import { createModelPass } from './model-pass.js';
import type { PassPage } from './pass-pages.js';
import { PassProgress } from './resumable-pass.js';
import type { PassStart } from './start-pass.js';
import { FakePassStore, record, silentLogger } from './testing/fakes.js';
import { writePassPages } from './write-pass-pages.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const T1 = new Date('2026-03-01T10:00:01.000Z');

const listingPage = (n: number, next: string | null, komboTime = T1): PassPage => ({
  page: { results: [record(`e-${n}`)], komboTime, next },
  listingNumber: n,
});

async function* from(pages: PassPage[]): AsyncGenerator<PassPage> {
  for (const page of pages) yield page;
}

function setup() {
  const store = new FakePassStore();
  const pass = createModelPass(
    { logger: silentLogger, now: () => 0 },
    { integrationId: 'i', runId: 9, model: 'hris_employees', state: undefined, mode: 'full', overlapMs: 0 },
  );
  const write = (start: PassStart, pages: PassPage[], writeConcurrency = 2) =>
    writePassPages({ store, fetchLimiters: [] }, pass, start, from(pages), {
      signal: new AbortController().signal,
      writeConcurrency,
    });
  return { store, pass, write };
}

describe('writePassPages', () => {
  it('records a new pass at its first page, before any write; checkpoints it; returns its start', async () => {
    const { store, pass, write } = setup();
    const start: PassStart = {
      plan: { passId: 9, isNew: true },
      progress: new PassProgress(9, 0),
      quarantinedIds: [],
    };
    const startedAt = await write(start, [
      listingPage(1, 'c1', T0),
      listingPage(2, 'c2'),
      listingPage(3, null),
    ]);
    expect(startedAt).toEqual(T0);
    expect(store.events.entries.indexOf('open-pass:hris_employees')).toBe(0);
    expect(store.passes.get('hris_employees')).toEqual({ passId: 9, startedAt: T0, cursor: null, pages: 3 });
    expect(store.writes.map((w) => [w.pageIndex, w.passId])).toEqual([
      [0, 9],
      [1, 9],
      [2, 9],
    ]);
    expect(pass.counts).toMatchObject({ pages: 3, records: 3, inserted: 3 });
  });

  it('a resumed pass keeps its own start and opens nothing; pages fetched by id carry no checkpoint', async () => {
    const { store, write } = setup();
    const resume = { passId: 4, startedAt: T0, cursor: 'c2', pages: 2, cursorAgeMs: 0, isIntact: true };
    store.passes.set('hris_employees', { passId: 4, startedAt: T0, cursor: 'c2', pages: 2 });
    const byId: PassPage = { page: { results: [record('q')], komboTime: T1, next: null } };
    const startedAt = await write(
      { plan: { passId: 4, resume, isNew: false }, progress: new PassProgress(4, 2), quarantinedIds: ['q'] },
      [byId, listingPage(3, 'c3'), listingPage(4, null)],
    );
    expect(startedAt).toEqual(T0);
    expect(store.events.has('open-pass:hris_employees')).toBe(false);
    expect(store.writes[0]?.checkpoint).toBeUndefined();
    expect(store.passes.get('hris_employees')).toMatchObject({ pages: 4, cursor: null });
  });

  it('throws the first write error only once the other writes settled', async () => {
    const { store, write } = setup();
    const failure = new Error('write refused');
    let isSecondDone = false;
    store.writeGate = async (_input, page) => {
      if (page === 1) {
        await store.events.waitFor('write-start:hris_employees:2');
        throw failure;
      }
      await new Promise((resolve) => setImmediate(resolve));
      isSecondDone = true;
    };
    const start: PassStart = { plan: { isNew: false }, quarantinedIds: [] };
    await expect(
      write(start, [listingPage(1, 'c1'), listingPage(2, 'c2'), listingPage(3, null)]),
    ).rejects.toBe(failure);
    expect(isSecondDone).toBe(true);
    expect(store.writes).toHaveLength(2);
  });

  it('a source that yields no page breaks its contract', async () => {
    const { write } = setup();
    await expect(write({ plan: { isNew: false }, quarantinedIds: [] }, [])).rejects.toBeInstanceOf(
      SyncSourceContractError,
    );
  });
});
