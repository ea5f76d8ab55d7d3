import { describe, expect, it } from '@jest/globals';
import { failModelOnError } from './errors.js';
import { createModelPass } from './model-pass.js';
import { passPages, type PassPage } from './pass-pages.js';
import type { PassStart } from './start-pass.js';
import { FakeSource, FakeStore, makePages, record, silentLogger } from './testing/fakes.js';
import type { ModelState, SyncMode } from './types.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const OVERLAP_MS = 60_000;

function setup(mode: SyncMode, state: ModelState | undefined) {
  const source = new FakeSource({
    hris_employees: {
      pages: makePages('e', 4, 1, T0),
      pagesSince: () => [{ komboTime: T0, records: [record('changed')] }],
      byIds: (ids) => ({ komboTime: T0, records: ids.filter((id) => id !== 'gone').map((id) => record(id)) }),
    },
  });
  const store = new FakeStore(source.events);
  const pass = createModelPass(
    { logger: silentLogger, now: () => 0 },
    { integrationId: 'i', runId: 9, model: 'hris_employees', state, mode, overlapMs: OVERLAP_MS },
  );
  const read = async (start: PassStart): Promise<PassPage[]> => {
    const deps = { source, store, classifyError: failModelOnError };
    const pages: PassPage[] = [];
    const signal = new AbortController().signal;
    for await (const page of passPages(deps, pass, start, { signal, overlapMs: OVERLAP_MS }))
      pages.push(page);
    return pages;
  };
  return { source, store, read };
}

const ids = (pages: PassPage[]) =>
  pages.map(({ page, listingNumber }) => [page.results[0]?.id, listingNumber]);

describe('passPages', () => {
  it('re-fetches the quarantined ids first, then the listing numbered from 1; gone ids are released', async () => {
    const { source, read } = setup('full', undefined);
    const pages = await read({ plan: { passId: 9, isNew: true }, quarantinedIds: ['q', 'gone'] });
    expect(ids(pages)).toEqual([
      ['q', undefined],
      ['e-0', 1],
      ['e-1', 2],
      ['e-2', 3],
      ['e-3', 4],
    ]);
    expect(source.events.entries).toContain('release:hris_employees:gone');
  });

  it('a delta sends updated_after, the watermark minus the overlap', async () => {
    const { source, read } = setup('delta', { watermark: T0 });
    await read({ plan: { isNew: false }, quarantinedIds: [] });
    expect(source.calls).toEqual([
      { model: 'hris_employees', updatedAfter: new Date(T0.getTime() - OVERLAP_MS) },
    ]);
  });

  it('a resumed pass lists from its cursor, numbers on from its checkpoint, then catches up', async () => {
    const { source, read } = setup('full', { watermark: null });
    const resume = { passId: 4, startedAt: T0, cursor: 'c2', pages: 2, cursorAgeMs: 0, isIntact: true };
    const pages = await read({ plan: { passId: 4, resume, isNew: false }, quarantinedIds: [] });
    expect(ids(pages)).toEqual([
      ['e-2', 3],
      ['e-3', 4],
      ['changed', undefined],
    ]);
    expect(source.calls.map((call) => [call.cursor, call.updatedAfter])).toEqual([
      ['c2', undefined],
      [undefined, new Date(T0.getTime() - OVERLAP_MS)],
    ]);
  });

  it('a resumed pass whose listing is all committed only catches up', async () => {
    const { read } = setup('full', { watermark: null });
    const resume = { passId: 4, startedAt: T0, cursor: null, pages: 4, cursorAgeMs: 0, isIntact: true };
    const pages = await read({ plan: { passId: 4, resume, isNew: false }, quarantinedIds: [] });
    expect(ids(pages)).toEqual([['changed', undefined]]);
  });
});
