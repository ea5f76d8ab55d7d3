import { describe, expect, it } from '@jest/globals';
import type { ModelName } from '@kombo-sync/catalog';
import { runTestSync } from './testing/run-test-sync.js';
import { EventLog, FakeSource, FakeStore, makePages, silentLogger } from './testing/fakes.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const EMPLOYEES: ModelName = 'hris_employees';

function setup(pageCount: number) {
  const events = new EventLog();
  const source = new FakeSource({ [EMPLOYEES]: { pages: makePages('e', pageCount, 2, T0) } }, events);
  const store = new FakeStore(events);
  let inFlight = 0;
  let maxInFlight = 0;
  const track = async (hold: () => Promise<void>): Promise<void> => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await hold();
    } finally {
      inFlight -= 1;
    }
  };
  return { events, source, store, track, maxInFlight: () => maxInFlight };
}

const turns = async (count: number): Promise<void> => {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
};

describe('runIntegrationSync page writes of one model', () => {
  it.each([1, 2, 3])(
    'keeps at most %i page writes in flight and writes every page',
    async (writeConcurrency) => {
      const { source, store, track, maxInFlight } = setup(6);
      store.writeGate = () => track(() => turns(5));
      const summary = await runTestSync(
        { source, store, logger: silentLogger },
        { integrationId: 'i', runId: 1, models: [EMPLOYEES], writeConcurrency },
      );
      expect(summary.status).toBe('succeeded');
      expect(summary.models[0]).toMatchObject({ pages: 6, records: 12, inserted: 12 });
      expect(maxInFlight()).toBe(writeConcurrency);
    },
  );

  it('writes two pages at once by default and commits the first page komboTime only after both', async () => {
    const { events, source, store } = setup(2);
    let isSecondStartedDuringFirst = false;
    store.writeGate = async (_input, page) => {
      // The first write is held until the second one has started: only a concurrent writer gets past this.
      if (page === 1) isSecondStartedDuringFirst = await events.waitFor(`write-start:${EMPLOYEES}:2`);
    };
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: [EMPLOYEES] },
    );
    expect(isSecondStartedDuringFirst).toBe(true);
    expect(summary.models[0]?.watermark).toEqual(T0);
    const order = events.entries;
    expect(order.indexOf(`write:${EMPLOYEES}:1`)).toBeLessThan(order.indexOf(`commit:${EMPLOYEES}`));
    expect(order.indexOf(`write:${EMPLOYEES}:2`)).toBeLessThan(order.indexOf(`reconcile:${EMPLOYEES}`));
    expect(store.commits[0]?.watermark).toEqual(T0);
  });

  it('passes each page its 0-based index in fetch order, even when a later page commits first', async () => {
    const { events, source, store } = setup(4);
    let isSecondDoneBeforeFirst = false;
    store.writeGate = async (_input, page) => {
      if (page === 1) isSecondDoneBeforeFirst = await events.waitFor(`write:${EMPLOYEES}:2`);
    };
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: [EMPLOYEES], writeConcurrency: 2 },
    );
    expect(summary.status).toBe('succeeded');
    expect(isSecondDoneBeforeFirst).toBe(true);
    // makePages puts records e-0, e-1 on the first page fetched, e-2, e-3 on the second, ….
    const byIndex = [...store.writes]
      .sort((a, b) => a.pageIndex - b.pageIndex)
      .map((write) => [write.pageIndex, write.records.map((r) => r.id)]);
    expect(byIndex).toEqual([
      [0, ['e-0', 'e-1']],
      [1, ['e-2', 'e-3']],
      [2, ['e-4', 'e-5']],
      [3, ['e-6', 'e-7']],
    ]);
  });

  it('on a failed write waits for the other write in flight, starts no new one and commits nothing', async () => {
    const { events, source, store } = setup(5);
    store.writeGate = async (_input, page) => {
      if (page === 1) {
        await events.waitFor(`write-start:${EMPLOYEES}:2`);
        throw new Error('deadlock detected');
      }
      if (page === 2) await turns(10);
    };
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: [EMPLOYEES], writeConcurrency: 2 },
    );
    expect(summary.models[0]).toMatchObject({ status: 'failed', watermark: null, pages: 1 });
    expect(summary.models[0]?.error?.message).toContain('deadlock detected');
    const order = events.entries;
    // The failure is recorded only after the concurrent page's transaction finished.
    expect(order.indexOf(`write:${EMPLOYEES}:2`)).toBeLessThan(order.indexOf(`failure:${EMPLOYEES}`));
    expect(events.has(`write-start:${EMPLOYEES}:4`)).toBe(false);
    expect(store.commits).toHaveLength(0);
    expect(store.reconciles).toHaveLength(0);
  });

  it('on abort lets every write in flight finish before returning', async () => {
    const { events, source, store } = setup(4);
    const controller = new AbortController();
    store.writeGate = async (_input, page) => {
      if (page === 1) {
        await events.waitFor(`write-start:${EMPLOYEES}:2`);
        controller.abort(new Error('SIGTERM'));
      }
      if (page === 2) await turns(10);
    };
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i', runId: 1, models: [EMPLOYEES], signal: controller.signal },
    );
    expect(summary.models[0]).toMatchObject({ status: 'cancelled', pages: 2, watermark: null });
    expect(events.has(`write:${EMPLOYEES}:2`)).toBe(true);
    expect(store.commits).toHaveLength(0);
  });

  it('rejects an invalid writeConcurrency', async () => {
    const { source, store } = setup(1);
    await expect(
      runTestSync(
        { source, store, logger: silentLogger },
        { integrationId: 'i', runId: 1, models: [EMPLOYEES], writeConcurrency: 0 },
      ),
    ).rejects.toThrow(RangeError);
  });
});
