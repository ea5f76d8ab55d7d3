import { describe, expect, it } from '@jest/globals';
import { runTestSync } from './testing/run-test-sync.js';
import {
  EventLog,
  FakeSource,
  FakeStore,
  record,
  silentLogger,
  type FakeModelSpec,
} from './testing/fakes.js';
import { failModelOnError } from './errors.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const T1 = new Date('2026-03-02T10:00:00.000Z');
const bad = (id: string) => ({
  id,
  reason: `record "${id}" breaks the schema at field x`,
  text: `{"id":"${id}"}`,
});

function setup(spec: FakeModelSpec) {
  const events = new EventLog();
  const source = new FakeSource({ hris_employees: spec }, events);
  const store = new FakeStore(events);
  const run = (runId: number, mode: 'delta' | 'full' = 'delta') =>
    runTestSync(
      { source, store, logger: silentLogger, classifyError: failModelOnError },
      { integrationId: 'personio:q', runId, models: ['hris_employees'], mode },
    );
  return { events, source, store, run };
}

describe('quarantine in the engine', () => {
  it('hands rejected records to the store with their page; the model succeeds and its watermark advances', async () => {
    const { store, run } = setup({
      pages: [
        { komboTime: T0, records: [record('a'), record('b')], rejected: [bad('x')] },
        { komboTime: T1, records: [record('c')] },
      ],
    });
    const summary = await run(1);
    expect(summary.status).toBe('succeeded');
    expect(summary.models[0]).toMatchObject({
      status: 'succeeded',
      quarantined: 1,
      records: 4,
      watermark: T0,
    });
    expect(store.writes[0]?.rejected).toEqual([bad('x')]);
    expect(store.commits[0]?.counts).toMatchObject({ quarantined: 1, inserted: 3 });
    expect([...store.quarantine.keys()]).toEqual(['hris_employees:x']);
  });

  it('re-fetches quarantined ids by id before the pass; stored ones leave, gone ones are released', async () => {
    const { store, source, events, run } = setup({
      pages: [{ komboTime: T1, records: [record('a')] }],
      byIds: (ids) => ({
        komboTime: T0,
        records: ids.filter((id) => id === 'fixed').map((id) => record(id)),
        rejected: ids.filter((id) => id === 'still-bad').map(bad),
      }),
    });
    store.states.set('hris_employees', { watermark: T0 });
    for (const id of ['fixed', 'still-bad', 'gone']) store.quarantine.set(`hris_employees:${id}`, 1);
    const summary = await run(2);
    expect(summary.models[0]).toMatchObject({ status: 'succeeded', quarantined: 1, pages: 2 });
    expect(source.calls.map((call) => call.ids ?? null)).toEqual([['fixed', 'still-bad', 'gone'], null]);
    expect(events.entries.indexOf('fetch-ids:hris_employees:fixed,still-bad,gone')).toBeLessThan(
      events.entries.indexOf('fetch:hris_employees:1'),
    );
    expect(events.entries).toContain('release:hris_employees:gone');
    expect(store.rows.has('hris_employees:fixed')).toBe(true);
    expect([...store.quarantine]).toEqual([['hris_employees:still-bad', 2]]);
    // The watermark is the earliest page's time of the pass (the retry page was fetched first).
    expect(store.commits.at(-1)?.watermark).toEqual(T0);
  });

  it('asks for at most 100 ids per request', async () => {
    const { store, source, run } = setup({ pages: [{ komboTime: T1, records: [] }] });
    for (let i = 0; i < 150; i++) store.quarantine.set(`hris_employees:q${i}`, 1);
    await run(3);
    expect(source.calls.map((call) => call.ids?.length ?? 0)).toEqual([100, 50, 0]);
  });
});
