import type { ModelName } from '@kombo-sync/catalog';
import { runTestSync } from './testing/run-test-sync.js';
import { FakeSource, FakeStore, record, silentLogger } from './testing/fakes.js';
import type {
  FindEmbeddingParentsInput,
  ListPendingEmbeddedInput,
  PendingEmbeddedChild,
  WritePageInput,
  WritePageResult,
} from './types.js';

const T0 = new Date('2026-02-01T00:00:00.000Z');

/** A store whose mirror knows which applications (by candidate_id) and interviews hold which candidates. */
class EmbeddingStore extends FakeStore {
  readonly lookups: FindEmbeddingParentsInput[] = [];
  failLookups = false;
  constructor(private readonly parents: Partial<Record<ModelName, Record<string, string[]>>>) {
    super();
  }
  async findEmbeddingParents(input: FindEmbeddingParentsInput): Promise<string[]> {
    this.lookups.push(input);
    if (this.failLookups) throw new Error('database down');
    const byChild = this.parents[input.model] ?? {};
    return input.childIds.flatMap((id) => byChild[id] ?? []);
  }
}

function setup() {
  const store = new EmbeddingStore({ ats_applications: { c1: ['a1', 'a2'], c2: ['a3', 'a1'] } });
  for (const model of ['ats_candidates', 'ats_applications', 'ats_interviews'] as const)
    store.states.set(model, { watermark: T0 });
  const source = new FakeSource({
    ats_candidates: { pages: [{ komboTime: T0, records: [record('c1'), record('c2')] }] },
    ats_applications: {
      pages: [{ komboTime: T0, records: [] }],
      byIds: (ids) => ({ komboTime: T0, records: ids.map((id) => record(id)) }),
    },
  });
  return { store, source };
}

describe('refreshing embedded copies in a run', () => {
  it('refetches by id, once each, the parents holding a changed child, and reports it', async () => {
    const { store, source } = setup();
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i1', runId: 1, models: ['ats_candidates'] },
    );
    expect(source.calls.filter((call) => call.ids)).toEqual([
      { model: 'ats_applications', updatedAfter: undefined, ids: ['a1', 'a2', 'a3'] },
    ]);
    expect(store.lookups.map((lookup) => [lookup.model, lookup.column, lookup.childIds])).toEqual([
      ['ats_applications', 'candidate_id', ['c1', 'c2']],
      ['ats_interviews', 'application', ['c1', 'c2']],
    ]);
    const refetchWrite = store.writes.find((write) => write.model === 'ats_applications');
    expect(refetchWrite).toMatchObject({ isFullPass: false, pageIndex: 2 ** 20 + 1 });
    expect(summary.status).toBe('succeeded');
    expect(summary.embeddedRefresh).toEqual({ refetched: 3, requests: 1, upserted: 3 });
  });

  it('stops before its first request when the run yields: the run is yielded, nothing refetched', async () => {
    const { store, source } = setup();
    const yielding = new AbortController();
    // The model's last page reports its changes: the yield comes after it, before the refresh.
    const summary = await runTestSync(
      { source, store, logger: silentLogger, onChangesCommitted: () => yielding.abort('pause') },
      { integrationId: 'i1', runId: 1, models: ['ats_candidates'], yieldSignal: yielding.signal },
    );
    expect(summary.models[0]?.status).toBe('succeeded');
    expect(source.calls.filter((call) => call.ids)).toEqual([]);
    expect(summary).toMatchObject({ status: 'yielded', yieldReason: 'pause' });
    expect(summary.embeddedRefresh).toMatchObject({ requests: 0, isYielded: true });
  });

  it('refetches nothing after a full run, which read the parents whole', async () => {
    const { store, source } = setup();
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i1', runId: 1, models: ['ats_candidates', 'ats_applications'], mode: 'full' },
    );
    expect(source.calls.filter((call) => call.ids)).toEqual([]);
    expect(summary.embeddedRefresh).toBeUndefined();
  });

  it('fails the run when the refresh fails, so the job retries', async () => {
    const { store, source } = setup();
    store.failLookups = true;
    const summary = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i1', runId: 1, models: ['ats_candidates'] },
    );
    expect(summary.models[0]?.status).toBe('succeeded');
    expect(summary.status).toBe('failed');
    expect(summary.embeddedRefresh?.error?.message).toBe('database down');
  });

  it('with a store keeping pending children, a later run of other models refreshes what a failed one left', async () => {
    const { store: base, source } = setup();
    const store = new PendingStore();
    for (const [model, state] of base.states) store.states.set(model, state);
    store.failLookups = true;
    const failed = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i1', runId: 1, models: ['ats_candidates'] },
    );
    expect(failed.status).toBe('failed');
    expect([...store.pending.keys()].sort()).toEqual(['ats_candidates/c1', 'ats_candidates/c2']);

    store.failLookups = false;
    const next = await runTestSync(
      { source, store, logger: silentLogger },
      { integrationId: 'i1', runId: 2, models: ['ats_applications'] },
    );
    expect(next.status).toBe('succeeded');
    expect(source.calls.filter((call) => call.ids).map((call) => [...(call.ids ?? [])].sort())).toEqual([
      ['a1', 'a2', 'a3'],
    ]);
    expect(store.pending.size).toBe(0);
  });
});

/** An EmbeddingStore that, like the worker's, records changed children with their page. */
class PendingStore extends EmbeddingStore {
  readonly pending = new Map<string, PendingEmbeddedChild>();
  constructor() {
    super({ ats_applications: { c1: ['a1', 'a2'], c2: ['a3', 'a1'] } });
  }
  override async writePage(input: WritePageInput): Promise<WritePageResult> {
    const result = await super.writePage(input);
    if (input.model === 'ats_candidates') {
      for (const childId of result.changedIds) {
        const key = `${input.model}/${childId}`;
        const version = (this.pending.get(key)?.version ?? 0) + 1;
        this.pending.set(key, { model: input.model, childId, version });
      }
    }
    return result;
  }
  async listPendingEmbedded(input: ListPendingEmbeddedInput): Promise<PendingEmbeddedChild[]> {
    return [...this.pending.values()]
      .filter((child) => input.models.includes(child.model))
      .sort((a, b) => `${a.model}/${a.childId}`.localeCompare(`${b.model}/${b.childId}`))
      .slice(0, input.limit);
  }
  async clearPendingEmbedded(input: { children: readonly PendingEmbeddedChild[] }): Promise<void> {
    for (const child of input.children) {
      const key = `${child.model}/${child.childId}`;
      if (this.pending.get(key)?.version === child.version) this.pending.delete(key);
    }
  }
}
